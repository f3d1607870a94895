import Foundation
import Speech
import Testing

@Suite struct SpeechTests {
    /// Speech is far louder than this RMS (16-bit full scale is 32767); silence is 0.
    static let silenceRMS = 100.0

    static func rms(_ samples: [Int16]) -> Double {
        (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))).squareRoot()
    }

    @Test func espeakSpeaksASentenceIntoAWAVThatDecodes() throws {
        let synthesizer = try SpeechSynthesizer.shared.get()
        let wav = try synthesizer.synthesize("The oat milk is on the top shelf.")
        #expect(synthesizer.sampleRate == 22050, "espeak-ng's voices run at 22050 Hz")
        // Eight words take espeak-ng's default 175 words a minute about 2.5 s; 1 to 5 s allows for pauses.
        #expect((1.0...5.0).contains(wav.durationSeconds), "\(wav.durationSeconds) s")
        let decoded = try WAVFile.decode(wav.encoded())
        #expect(decoded == wav && decoded.sampleRate == 22050)
        #expect(Self.rms(decoded.samples) > Self.silenceRMS)
    }

    @Test func sentencesArriveOneByOne() async throws {
        let synthesizer = try SpeechSynthesizer.shared.get()
        var parts: [WAVFile] = []
        for try await part in synthesizer.sentenceBySentence("It is on the left. Second shelf! Want more?") { parts.append(part) }
        #expect(parts.count == 3 && parts.allSatisfy { $0.durationSeconds > 0.3 && Self.rms($0.samples) > Self.silenceRMS })
    }

    @Test func sentenceSplitting() {
        #expect(SpeechSynthesizer.sentences("Hi. It costs 3.50 euros! Ok?  ") == ["Hi.", "It costs 3.50 euros!", "Ok?"])
        #expect(SpeechSynthesizer.sentences("no end") == ["no end"])
        #expect(SpeechSynthesizer.sentences("  ") == [])
    }

    @Test func brokenWAVsAreTypedErrors() throws {
        #expect(throws: SpeechError.invalidWAV("no RIFF/WAVE header")) { try WAVFile.decode(Data("hello".utf8)) }
        var cut = WAVFile(sampleRate: 16000, samples: [1, 2, 3]).encoded()
        cut.removeLast(4)
        #expect(throws: SpeechError.invalidWAV("chunk 'data' runs past the end")) { try WAVFile.decode(cut) }
        var eightBit = [UInt8](WAVFile(sampleRate: 8000, samples: [0]).encoded())
        eightBit[34] = 8  // bits per sample
        #expect(throws: SpeechError.invalidWAV("only 16-bit PCM is read")) { try WAVFile.decode(Data(eightBit)) }
        var manyChannels = [UInt8](WAVFile(sampleRate: 8000, samples: [0]).encoded())
        manyChannels[22] = 9  // channels
        #expect(throws: SpeechError.invalidWAV("9 channels")) { try WAVFile.decode(Data(manyChannels)) }
    }

    @Test func stereoIsAveragedIntoMono() throws {
        // Two frames of left/right: (100, 300), (-50, -150).
        var bytes = [UInt8](WAVFile(sampleRate: 8000, samples: [100, 300, -50, -150]).encoded())
        bytes[22] = 2                               // channels
        bytes[28] = UInt8((8000 * 4) & 0xff)        // byte rate, low byte (32000 = 0x7d00)
        bytes[29] = UInt8((8000 * 4) >> 8)
        bytes[32] = 4                               // block align
        let decoded = try WAVFile.decode(Data(bytes))
        #expect(decoded == WAVFile(sampleRate: 8000, samples: [200, -100]))
    }

    @Test func resamplingKeepsDurationAndTone() throws {
        // A 440 Hz tone, 1 s at espeak-ng's 22050 Hz, resampled to the recognizer's 16 kHz.
        let tone = WAVFile(sampleRate: 22050, samples: (0..<22050).map { Int16(10000 * sin(2 * Double.pi * 440 * Double($0) / 22050)) })
        let resampled = tone.resampled(to: 16000)
        #expect(resampled.sampleRate == 16000 && resampled.samples.count == 16000)
        // The same tone sampled at 16 kHz; the first and last samples lack half the filter's input.
        let expected = (0..<16000).map { 10000 * sin(2 * Double.pi * 440 * Double($0) / 16000) }
        let edge = 16
        let error = zip(resampled.samples, expected).dropFirst(edge).dropLast(edge).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(error < Self.resamplingTolerance, "\(error)")
        #expect(tone.resampled(to: 22050) == tone)
        // A 10 kHz tone is above 16 kHz's Nyquist frequency (8 kHz): filtered out, not folded to 6 kHz.
        let high = WAVFile(sampleRate: 22050, samples: (0..<22050).map { Int16(10000 * sin(2 * Double.pi * 10000 * Double($0) / 22050)) })
        let folded = high.resampled(to: 16000).samples.dropFirst(edge).dropLast(edge).map { abs(Int($0)) }.max() ?? .max
        #expect(folded < Int(Self.stopbandLeak), "\(folded)")
    }

    /// The windowed sinc's passband error at 440 Hz is about 1.3 of the 10000 amplitude (numpy
    /// reference of the same filter); 10 allows for rounding.
    static let resamplingTolerance = 10.0
    /// 10 kHz is 2 kHz past the cutoff, where the 8-crossing Hann sinc lets through about 70 of
    /// 10000 (same reference); 200 is still a 34 dB cut.
    static let stopbandLeak = 200.0

    @Test func sentencesAreCutAsTheTextArrives() {
        var accumulator = SentenceAccumulator()
        #expect(accumulator.append("It costs 3.") == [])
        #expect(accumulator.append("50 euros") == [])
        #expect(accumulator.append(". The oat") == ["It costs 3.50 euros."])
        #expect(accumulator.append(" milk is best! Try") == ["The oat milk is best!"])
        #expect(accumulator.append(" it") == [])
        #expect(accumulator.finish() == "Try it")
        #expect(accumulator.finish() == nil)
        var whole = SentenceAccumulator()
        #expect(whole.append("One. Two? Three! ") == ["One.", "Two?", "Three!"])
        #expect(whole.finish() == nil)
    }
}

@Suite struct SpeechRecognitionTests {
    /// espeak-ng's robotic voice is far from the speakers pocketsphinx's en-us model was trained
    /// on: of fourteen short questions tried, this one comes back best, as "what is healthy" (at
    /// 22050 Hz and resampled through 44.1 kHz alike; both engines are deterministic), so the test
    /// asserts on the words that survive, not on the whole transcript.
    static let question = "Which one is healthy?"
    static let wordsHeard: Set<Substring> = ["is", "healthy"]

    @Test func ourOwnSpeechIsRecognised() async throws {
        let spoken = try SpeechSynthesizer.shared.get().synthesize(Self.question)
        let heard = try await SpeechRecognizer.shared.get().recognize(spoken)
        #expect(Set(heard.split(separator: " ")).isSuperset(of: Self.wordsHeard), "\(heard)")
    }

    @Test func aStereoRecordingAt44kHzIsHeardTheSame() async throws {
        let spoken = try SpeechSynthesizer.shared.get().synthesize(Self.question).resampled(to: 44100)
        // The same samples on both channels, interleaved, in a stereo WAV.
        var bytes = [UInt8](WAVFile(sampleRate: 44100, samples: spoken.samples.flatMap { [$0, $0] }).encoded())
        bytes[22] = 2                                                       // channels
        for (index, byte) in (0..<4).map({ UInt8(((44100 * 4) >> (8 * $0)) & 0xff) }).enumerated() { bytes[28 + index] = byte }
        bytes[32] = 4                                                       // block align
        let decoded = try WAVFile.decode(Data(bytes))
        #expect(decoded.sampleRate == 44100 && decoded.samples == spoken.samples)
        let heard = try await SpeechRecognizer.shared.get().recognize(decoded)
        #expect(Set(heard.split(separator: " ")).isSuperset(of: Self.wordsHeard), "\(heard)")
    }

    @Test func silenceIsHeardAsNothingAndALongRecordingIsRefused() async throws {
        let recognizer = try SpeechRecognizer.shared.get()
        #expect(try await recognizer.recognize(WAVFile(sampleRate: 16000, samples: [Int16](repeating: 0, count: 16000))) == "")
        let long = WAVFile(sampleRate: 8000, samples: [Int16](repeating: 0, count: 8000 * 31))
        await #expect(throws: SpeechError.recognitionFailed("the recording is 31 s; at most 30 s is heard")) {
            try await recognizer.recognize(long)
        }
    }
}
