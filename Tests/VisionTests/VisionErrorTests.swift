import Testing
import Vision

@Suite struct VisionErrorTests {
    @Test func namesTheTensor() {
        #expect(VisionError.missingTensor("_fc.weight") != VisionError.missingTensor("_fc.bias"))
    }
}
