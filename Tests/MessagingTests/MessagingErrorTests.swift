import Messaging
import Testing

@Suite struct MessagingErrorTests {
    @Test func aBadSignatureIsItsOwnError() {
        #expect(MessagingError.badSignature == .badSignature)
    }
}
