/// Why a sign-in was refused.
public enum IdentityError: Error, Equatable, Sendable {
    case invalidToken(String)
}
