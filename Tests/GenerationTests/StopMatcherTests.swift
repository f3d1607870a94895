import Generation
import Testing

/// Feeds the pieces in order; returns each piece's emitted text, the stop hit, and what `finish` released.
private func run(_ stops: [String], _ pieces: [String]) -> (emitted: [String], stop: String?, rest: String) {
    var matcher = StopMatcher(stops: stops)
    var emitted: [String] = []
    var stop: String?
    for piece in pieces {
        let result = matcher.append(piece)
        emitted.append(result.text)
        stop = stop ?? result.stop
    }
    return (emitted, stop, matcher.finish())
}

@Suite struct StopMatcherTests {
    @Test func withoutStopsEverythingPassesAtOnce() {
        let result = run([], ["Hello", " world"])
        #expect(result.emitted == ["Hello", " world"])
        #expect(result.stop == nil && result.rest.isEmpty)
    }

    @Test func stopSplitAcrossAppendsIsNeverEmitted() {
        let result = run(["</s>"], ["Hello <", "/", "s>more"])
        #expect(result.emitted == ["Hello ", "", ""])
        #expect(result.stop == "</s>")
        #expect(result.rest.isEmpty)
    }

    @Test func stopInsideOnePieceCutsBeforeIt() {
        var matcher = StopMatcher(stops: ["\n\n"])
        #expect(matcher.append("one\n\ntwo") == StopMatchResult(text: "one", stop: "\n\n"))
    }

    @Test func partialPrefixThenMismatchReleasesTheHeldText() {
        let result = run(["</s>"], ["a <", "/", "b"])
        #expect(result.emitted == ["a ", "", "</b"])
        #expect(result.stop == nil)
    }

    @Test func heldTextIsReleasedByFinish() {
        var matcher = StopMatcher(stops: ["User:"])
        #expect(matcher.append("Bye. Us").text == "Bye. ")
        #expect(matcher.heldText == "Us")
        #expect(matcher.finish() == "Us")
        #expect(matcher.append("next").text == "next")  // finish starts a new stream
    }

    @Test func afterAStopNothingMoreIsEmitted() {
        var matcher = StopMatcher(stops: ["END"])
        #expect(matcher.append("done END tail").stop == "END")
        #expect(matcher.append("more") == StopMatchResult(text: "", stop: "END"))
        #expect(matcher.finish().isEmpty)
    }

    @Test func multipleStopsEarliestWins() {
        let result = run(["\nUser:", "###"], ["a###b\nUser:"])
        #expect(result.emitted == ["a"])
        #expect(result.stop == "###")
        var matcher = StopMatcher(stops: ["###", "\nUser:"])
        #expect(matcher.append("x ##").text == "x ")
        #expect(matcher.append("!\nUs").text == "##!")
        #expect(matcher.append("er: hi") == StopMatchResult(text: "", stop: "\nUser:"))
    }

    @Test func atTheSameStartTheFirstListedStopIsReported() {
        #expect(run(["ab", "abc"], ["xabc"]).stop == "ab")
        #expect(run(["abc", "ab"], ["xabc"]).stop == "abc")
        #expect(run(["abc", "ab"], ["xabc"]).emitted == ["x"])
    }

    @Test func overlappingPrefixesHoldTheLongestPossibleTail() {
        // "aab" inside "aaab": the first "a" can be emitted, the stop starts at the second.
        let result = run(["aab"], ["a", "a", "a", "b"])
        #expect(result.emitted == ["", "", "a", ""])
        #expect(result.stop == "aab")
        #expect(run(["abc", "bcd"], ["ab", "d"]).emitted == ["", "abd"])
    }

    @Test func unicodeStopsSplitAcrossPieces() {
        let result = run(["👋🌍"], ["hi 👋", "🌍!"])
        #expect(result.emitted == ["hi ", ""])
        #expect(result.stop == "👋🌍")
        let japanese = run(["日本"], ["今日は日", "曜"])
        #expect(japanese.emitted == ["今日は", "日曜"])
        #expect(japanese.stop == nil)
    }

    @Test func matchingIsExactOnBytesWithoutNormalisation() {
        // "é" precomposed (U+00E9) is not the same bytes as "e" + combining acute (U+0301).
        let result = run(["\u{E9}"], ["caf", "e\u{301}"])
        #expect(result.stop == nil)
        #expect(result.emitted.joined() + result.rest == "cafe\u{301}")
    }

    @Test func emptyStopStringsAreIgnored() {
        let matcher = StopMatcher(stops: ["", "x"])
        #expect(matcher.stops == ["x"])
        #expect(run([""], ["abc"]).emitted == ["abc"])
    }
}
