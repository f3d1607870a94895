import CKernels

/// Which implementation of the hot loops runs: AVX2+FMA+F16C or the portable scalar twins.
public enum KernelBackend: String, Sendable, CaseIterable {
    case scalar
    case avx2

    /// The backend dispatched calls use: AVX2 when the CPU has it, unless MUSE_FORCE_SCALAR=1.
    public static var active: KernelBackend { ck_backend() == CK_BACKEND_AVX2 ? .avx2 : .scalar }

    /// Whether this CPU can run the AVX2 kernels.
    public static var avx2Available: Bool { ck_cpu_has_avx2() != 0 }

    var cValue: ck_backend_t { self == .avx2 ? CK_BACKEND_AVX2 : CK_BACKEND_SCALAR }
}

/// "avx2" or "scalar": the backend in use, for `muse bench` and `muse inspect`.
public var kernelBackend: String { KernelBackend.active.rawValue }
