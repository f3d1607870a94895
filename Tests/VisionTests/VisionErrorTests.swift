import ModelFiles
import Testing
import Vision

@Suite struct VisionErrorTests {
    @Test func messagesNameWhatIsWrong() {
        #expect(VisionError.missingTensor("_fc.weight").description == "the model file lacks tensor '_fc.weight'")
        #expect(VisionError.badShape(tensor: "_fc.bias", expected: [1000], actual: [10]).description
                == "tensor '_fc.bias' has shape [10], expected [1000]")
        #expect(VisionError.wrongImageSize(width: 3, height: 4, expected: 224).description
                == "the network takes a 224x224 image, got 3x4")
        #expect(VisionError.file(.fileNotFound("/nowhere")).description == ModelFileError.fileNotFound("/nowhere").description)
    }

    @Test func unusedTensorListIsShortened() {
        let names = (0..<7).map { "t\($0)" }
        #expect(VisionError.unusedTensors(names).description
                == "the model file has 7 tensor(s) this network does not use: t0, t1, t2, t3, t4, ...")
    }
}
