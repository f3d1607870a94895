import Shopping
import Testing

@Suite struct ShoppingErrorTests {
    @Test func namesTheLine() {
        #expect(ShoppingError.invalidRow(line: 3, reason: "x") != ShoppingError.invalidRow(line: 4, reason: "x"))
    }
}
