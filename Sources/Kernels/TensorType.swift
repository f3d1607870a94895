/// Element encodings of tensors, numbered as in ggml's `ggml_type` (GGUF stores these numbers).
///
/// Every type the GGUF format can name is listed so a reader can size any tensor; only some
/// have compute kernels (`hasKernels`).
public enum TensorType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3
    case q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22
    case iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35

    /// Elements per block (1 for plain scalar types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .i8, .i16, .i32, .i64, .f64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl: return 32
        default: return 256 // K-quants, i-quants and ternary types use 256-element super-blocks
        }
    }

    /// Bytes per block. Layouts from ggml-common.h; each is asserted by a test.
    public var bytesPerBlock: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8: return 1
        case .i64, .f64: return 8
        case .q4_0: return 2 + 16           // d:f16, qs[16]
        case .q4_1: return 2 + 2 + 16       // d:f16, m:f16, qs[16]
        case .q5_0: return 2 + 4 + 16       // d, qh[4], qs[16]
        case .q5_1: return 2 + 2 + 4 + 16   // d, m, qh[4], qs[16]
        case .q8_0: return 2 + 32           // d:f16, qs[32]
        case .q8_1: return 2 + 2 + 32       // d:f16, s:f16, qs[32]
        case .q2_K: return 16 + 64 + 2 + 2  // scales[16], qs[64], d, dmin
        case .q3_K: return 32 + 64 + 12 + 2 // hmask[32], qs[64], scales[12], d
        case .q4_K: return 2 + 2 + 12 + 128 // d, dmin, scales[12], qs[128]
        case .q5_K: return 2 + 2 + 12 + 32 + 128 // d, dmin, scales[12], qh[32], qs[128]
        case .q6_K: return 128 + 64 + 16 + 2     // ql[128], qh[64], scales[16], d
        case .q8_K: return 4 + 256 + 32          // d:f32, qs[256], bsums[16]:i16
        case .iq2_xxs: return 2 + 64
        case .iq2_xs: return 2 + 64 + 8
        case .iq3_xxs: return 2 + 96
        case .iq1_s: return 2 + 32 + 16
        case .iq4_nl: return 2 + 16
        case .iq3_s: return 2 + 64 + 8 + 32 + 4
        case .iq2_s: return 2 + 64 + 8 + 8
        case .iq4_xs: return 2 + 2 + 4 + 128
        case .iq1_m: return 32 + 16 + 8
        case .tq1_0: return 2 + 4 + 48
        case .tq2_0: return 2 + 64
        }
    }

    /// Bytes needed for `count` elements, or nil if `count` is not a whole number of blocks
    /// or the size overflows.
    public func byteCount(elements count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    /// ggml's name of the type ("Q4_1", "F16", "IQ2_XXS").
    public var description: String {
        switch self {
        case .f32: return "F32"
        case .f16: return "F16"
        case .q4_0: return "Q4_0"
        case .q4_1: return "Q4_1"
        case .q5_0: return "Q5_0"
        case .q5_1: return "Q5_1"
        case .q8_0: return "Q8_0"
        case .q8_1: return "Q8_1"
        case .q2_K: return "Q2_K"
        case .q3_K: return "Q3_K"
        case .q4_K: return "Q4_K"
        case .q5_K: return "Q5_K"
        case .q6_K: return "Q6_K"
        case .q8_K: return "Q8_K"
        case .iq2_xxs: return "IQ2_XXS"
        case .iq2_xs: return "IQ2_XS"
        case .iq3_xxs: return "IQ3_XXS"
        case .iq1_s: return "IQ1_S"
        case .iq4_nl: return "IQ4_NL"
        case .iq3_s: return "IQ3_S"
        case .iq2_s: return "IQ2_S"
        case .iq4_xs: return "IQ4_XS"
        case .i8: return "I8"
        case .i16: return "I16"
        case .i32: return "I32"
        case .i64: return "I64"
        case .f64: return "F64"
        case .iq1_m: return "IQ1_M"
        case .bf16: return "BF16"
        case .tq1_0: return "TQ1_0"
        case .tq2_0: return "TQ2_0"
        }
    }
}
