import Identity
import Testing

@Test func identityErrorsCarryTheirMessage() {
    #expect(IdentityError.invalidToken("x") == .invalidToken("x"))
}
