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
        // The same tone sampled at 16 kHz, against which the resampled one differs by the error of
        // linear interpolation (a step of 22050/16000 < 2 input samples: no box filter applies).
        let expected = (0..<16000).map { 10000 * sin(2 * Double.pi * 440 * Double($0) / 16000) }
        let error = zip(resampled.samples, expected).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(error < Self.resamplingTolerance, "\(error)")
        #expect(tone.resampled(to: 22050) == tone)
    }

    /// Linear interpolation of a sine errs by at most A*(w*h)^2/8 with w*h = 2*pi*440/22050:
    /// about 20 of 10000; 50 leaves room for rounding to 16-bit.
    static let resamplingTolerance = 50.0

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
    /// on: this question comes back as "what is not healthy" (both engines are deterministic), so
    /// the test asserts on the words that survive, "is" and "healthy", not on the whole transcript.
    static let question = "Which one is the healthiest?"
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
