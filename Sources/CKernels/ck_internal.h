#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H
// Private to CKernels: block layouts (as in ggml-common.h), inline conversions, kernel tables.
#include "CKernels.h"
#include <string.h>

#define CK_AVX2 __attribute__((target("avx2,fma,f16c")))

// Block sizes: 32-element blocks for the legacy quants, 256-element super-blocks for K-quants.
#define QK 32
#define QK_K 256
#define K_SCALE_SIZE 12

typedef struct { uint16_t d; uint8_t qs[QK / 2]; } block_q4_0;
typedef struct { uint16_t d; uint16_t m; uint8_t qs[QK / 2]; } block_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[QK / 2]; } block_q5_0;
typedef struct { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[QK / 2]; } block_q5_1;
typedef struct { uint16_t d; int8_t qs[QK]; } block_q8_0;
typedef struct { uint16_t d; uint16_t s; int8_t qs[QK]; } block_q8_1;
typedef struct { uint16_t d; uint16_t dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qs[QK_K / 2]; } block_q4_K;
typedef struct {
    uint16_t d; uint16_t dmin; uint8_t scales[K_SCALE_SIZE]; uint8_t qh[QK_K / 8]; uint8_t qs[QK_K / 2];
} block_q5_K;
typedef struct { uint8_t ql[QK_K / 2]; uint8_t qh[QK_K / 4]; int8_t scales[QK_K / 16]; uint16_t d; } block_q6_K;
typedef struct { float d; int8_t qs[QK_K]; int16_t bsums[QK_K / 16]; } block_q8_K;
/// A Q8_1 activation block laid out for the row-pair kernels (ck_dot_pairs_avx2.c): the scales
/// widened to floats once and repeated for whole-vector use, and each half of the quants repeated
/// in both 128-bit lanes, so that one vector multiplies the nibbles of two weight rows at once.
typedef struct { float d[8]; float s[4]; int8_t lo[2 * QK / 2]; int8_t hi[2 * QK / 2]; } block_q8_1_pairs;

_Static_assert(sizeof(block_q4_0) == 18, "q4_0 layout");
_Static_assert(sizeof(block_q4_1) == 20, "q4_1 layout");
_Static_assert(sizeof(block_q5_0) == 22, "q5_0 layout");
_Static_assert(sizeof(block_q5_1) == 24, "q5_1 layout");
_Static_assert(sizeof(block_q8_0) == 34, "q8_0 layout");
_Static_assert(sizeof(block_q8_1) == 36, "q8_1 layout");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K layout");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K layout");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K layout");
_Static_assert(sizeof(block_q8_K) == 292, "q8_K layout");
_Static_assert(sizeof(block_q8_1_pairs) == 112, "q8_1 pairs layout");
/// The scales of four tokens' Q8_1 blocks for the four-token pair kernel: d and s of token t in
/// lanes t and 4 + t (one half per row of a pair).
typedef struct { float d[8]; float s[8]; } block_q8_1_group4;
_Static_assert(sizeof(block_q8_1_group4) == 64, "q8_1 group layout");
/// Same for Q8_0 activations (d only).
typedef struct { float d[8]; } block_q8_0_group4;

static inline float ck_half(uint16_t h) { return ck_f16_to_f32(h); }

/// The value of largest magnitude among x[0..<n], with its sign (the first one on ties), as
/// ggml's reference quantizers take it.
static inline float ck_signed_absmax(const float *x, int n) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; j++) {
        float a = x[j] < 0 ? -x[j] : x[j];
        if (amax < a) {
            amax = a;
            max = x[j];
        }
    }
    return max;
}

/// Sum of 8 lanes in the order of the x86 horizontal add (_mm256 halves, then movehl, then
/// movehdup): ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)).
static inline float ck_fold8(const float *l) {
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/// Q4_K/Q5_K 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes.
static inline void ck_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

/// out[r] = dot(weight row r, act) for r in 0..<nrows; rows are row_bytes apart.
typedef void (*ck_rows_dot_fn)(int n, int nrows, const uint8_t *w, size_t row_bytes, const void *act, float *out);
/// Encodes n floats in the activation type.
typedef void (*ck_quant_fn)(const float *x, void *y, int64_t n);

/// Two activation rows at once (prefill): out0/out1[r] = dot(weight row r, act0/act1). Results
/// equal two ck_rows_dot_fn calls bit for bit; the weight unpacking is shared.
typedef void (*ck_rows_dot2_fn)(int n, int nrows, const uint8_t *w, size_t row_bytes, const void *act0,
                                const void *act1, float *out0, float *out1);

/// Kernels of one weight type; NULL entries mean unsupported (dot2: use dot twice).
/// `batch_*`: the summation order llama.cpp's CPU backend uses for some tokens of a batch
/// (`batch_rule` says which), where it switches to another kernel; NULL: same order as `dot_*`.
typedef enum {
    CK_BATCH_NONE = 0,
    CK_BATCH_GROUPS_OF_4 = 1,  // tokens in whole groups of four (repacked Q4_K multiply)
    CK_BATCH_FROM_8 = 2,       // every token of a batch of 8 or more (tiled K-quant multiply)
} ck_batch_rule;

/// Re-lays n values of one activation row for the pair kernels (block_q8_1_pairs for Q8_1).
typedef void (*ck_pairs_expand_fn)(int n, const void *act, void *pairs);
/// Pair kernels: weight rows taken two at a time against an activation in the pair layout.
/// `act` is the same activation in its plain layout, for a leftover odd row. Results equal the
/// ck_rows_dot_fn of the type bit for bit.
typedef void (*ck_pairs_dot_fn)(int n, int nrows, const uint8_t *w, size_t row_bytes, const void *act,
                                const void *pairs, float *out);
typedef void (*ck_pairs_dot2_fn)(int n, int nrows, const uint8_t *w, size_t row_bytes, const void *act0,
                                 const void *pairs0, const void *act1, const void *pairs1, float *out0, float *out1);
/// Writes token `lane` (0..3) of a four-token group's scales (block_q8_1_group4 for Q8_1).
typedef void (*ck_group_fn)(int n, const void *act, void *group, int lane);
/// Four tokens at once: act and out hold four entries each; group holds their scales.
typedef void (*ck_rows_dot4_fn)(int n, int nrows, const uint8_t *w, size_t row_bytes, const void *const *act,
                                const void *group, float *const *out);
/// The same for the pair kernels (pairs: the four tokens' pair layouts).
typedef void (*ck_pairs_dot4_fn)(int n, int nrows, const uint8_t *w, size_t row_bytes, const void *const *act,
                                 const void *const *pairs, const void *group, float *const *out);

typedef struct {
    int activation_type;
    ck_rows_dot_fn dot_scalar;
    ck_rows_dot_fn dot_avx2;
    ck_rows_dot2_fn dot2_avx2;
    ck_batch_rule batch_rule;
    ck_rows_dot_fn batch_scalar;
    ck_rows_dot_fn batch_avx2;
    // AVX2 only, all or none: matmul then uses them in place of dot_avx2/dot2_avx2.
    size_t pairs_block_bytes;
    ck_pairs_expand_fn pairs_expand_avx2;
    ck_pairs_dot_fn pairs_dot_avx2;
    ck_pairs_dot2_fn pairs_dot2_avx2;
    ck_pairs_dot4_fn pairs_dot4_avx2;
    // AVX2 four-token kernels (dot4_avx2, or pairs_dot4_avx2 with the pair kernels) and the
    // group layout of their scales; NULL group_avx2: none.
    size_t group_block_bytes;
    ck_group_fn group_avx2;
    ck_rows_dot4_fn dot4_avx2;
} ck_weight_kernels;

const ck_weight_kernels *ck_kernels_for(int weight_type);
ck_quant_fn ck_quantizer(int type, ck_backend_t backend);

// Scalar row dots (ck_dot_scalar.c).
void ck_dot_rows_f32_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_f16_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_bf16_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_0_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_1_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q8_0_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_K_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_K_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q6_K_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_K_group_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_K_batch_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q6_K_batch_scalar(int, int, const uint8_t *, size_t, const void *, float *);

// AVX2 row dots (ck_dot_avx2.c, ck_dot_kquant_avx2.c).
void ck_dot_rows_f32_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_f16_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_bf16_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_0_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_1_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q8_0_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_K_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_K_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q6_K_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q4_K_group_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_K_batch_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q6_K_batch_avx2(int, int, const uint8_t *, size_t, const void *, float *);

// AVX2 two-token row dots (ck_dot_pair_avx2.c).
void ck_expand_q8_1_pairs_avx2(int, const void *, void *);
void ck_dot_pairs_q4_1_avx2(int, int, const uint8_t *, size_t, const void *, const void *, float *);
void ck_dot_pairs2_q4_1_avx2(int, int, const uint8_t *, size_t, const void *, const void *, const void *,
                             const void *, float *, float *);
void ck_group_q8_1_avx2(int, const void *, void *, int);
void ck_dot_pairs4_q4_1_avx2(int, int, const uint8_t *, size_t, const void *const *, const void *const *,
                             const void *, float *const *);
void ck_dot_rows2_q8_0_avx2(int, int, const uint8_t *, size_t, const void *, const void *, float *, float *);
void ck_group_q8_0_avx2(int, const void *, void *, int);
void ck_dot_rows4_q8_0_avx2(int, int, const uint8_t *, size_t, const void *const *, const void *, float *const *);

// Activation quantizers (ck_quantize.c).
void ck_quantize_q8_0_scalar(const float *x, void *y, int64_t n);
void ck_quantize_q8_0_avx2(const float *x, void *y, int64_t n);
void ck_quantize_q8_1_scalar(const float *x, void *y, int64_t n);
void ck_quantize_q8_1_avx2(const float *x, void *y, int64_t n);
void ck_quantize_q8_K(const float *x, void *y, int64_t n);
void ck_quantize_f32(const float *x, void *y, int64_t n);
void ck_quantize_f16_any(const float *x, void *y, int64_t n);
void ck_quantize_bf16(const float *x, void *y, int64_t n);
// Weight quantizers for tests and the writer (ck_quantize_weights.c).
void ck_quantize_q4_0(const float *x, void *y, int64_t n);
void ck_quantize_q4_1(const float *x, void *y, int64_t n);
void ck_quantize_q4_K(const float *x, void *y, int64_t n);
void ck_quantize_q5_K(const float *x, void *y, int64_t n);
void ck_quantize_q6_K(const float *x, void *y, int64_t n);

// Q5_0 / Q5_1 (ck_q5.c).
void ck_dequantize_q5_0(const void *x, float *y, int64_t nb);
void ck_dequantize_q5_1(const void *x, float *y, int64_t nb);
void ck_quantize_q5_0(const float *x, void *y, int64_t n);
void ck_quantize_q5_1(const float *x, void *y, int64_t n);
void ck_dot_rows_q5_0_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_1_scalar(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_0_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows_q5_1_avx2(int, int, const uint8_t *, size_t, const void *, float *);
void ck_dot_rows2_q5_0_avx2(int, int, const uint8_t *, size_t, const void *, const void *, float *, float *);

#endif
