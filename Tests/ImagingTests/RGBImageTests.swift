import Imaging
import Testing

@Suite struct RGBImageTests {
    @Test func refusesABufferOfTheWrongSize() {
        #expect(RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11)) == nil)
        #expect(RGBImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 12)) != nil)
    }
}
