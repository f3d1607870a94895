/// The arithmetic and unit word problems, generated with their solutions from a seed, so every
/// answer is right by construction and the committed file can be checked against its generator.
public enum ArithmeticSuite {
    public static let name = "arithmetic"
    public static let version = "1"
    public static let seed: UInt64 = 20261127
    public static let count = 60

    public static func header() -> EvalSuite.Header {
        EvalSuite.Header(suite: name, version: version, canary: EvalSuite.canaryPrefix + "-arithmetic-v1-7f3c9a2e51d84b06",
                         max_tokens: 48,
                         description: "Generated one-step and two-step word problems (sums, differences, products, unit conversions).")
    }

    static let names = ["Ana", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
    static let things = ["apples", "pencils", "books", "stickers", "marbles", "cookies", "stamps", "shells"]

    public static func items() -> [EvalItem] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let who = names[Int(random.next() % UInt64(names.count))]
            let what = things[Int(random.next() % UInt64(things.count))]
            let a = Int(random.next() % 40) + 2, b = Int(random.next() % 20) + 2, c = Int(random.next() % 9) + 2
            let (prompt, answer): (String, Int)
            switch index % 6 {
            case 0: (prompt, answer) = ("\(who) has \(a) \(what) and gets \(b) more. How many \(what) does \(who) have now?", a + b)
            case 1: (prompt, answer) = ("\(who) had \(a + b) \(what) and gave away \(b). How many \(what) are left?", a)
            case 2: (prompt, answer) = ("There are \(c) boxes with \(b) \(what) in each box. How many \(what) are there in all?", b * c)
            case 3: (prompt, answer) = ("How many minutes are there in \(c) hours?", c * 60)
            case 4: (prompt, answer) = ("\(who) shares \(b * c) \(what) equally among \(c) friends. How many \(what) does each friend get?", b)
            default:
                (prompt, answer) = ("\(who) buys \(c) packs of \(what) at \(b) dollars each and pays with \(b * c + a) dollars. "
                                    + "How much change does \(who) get, in dollars?", a)
            }
            return EvalItem(id: "arith-\(index + 1)", prompt: prompt + " Give the final answer as a number.",
                            answer: String(answer), check: "number")
        }
    }
}

/// SplitMix64: the suites' own seeded generator (stable across platforms and Swift versions,
/// unlike the standard library's).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
