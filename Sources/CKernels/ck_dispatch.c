// Runtime CPU detection, backend choice and the per-type kernel tables.
#include "ck_internal.h"
#include <stdlib.h>

static int detect_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

static int g_has_avx2 = 0;
static ck_backend_t g_backend = CK_BACKEND_SCALAR;

// Decided once at load time so every call reads two plain globals.
__attribute__((constructor)) static void ck_init_backend(void) {
    g_has_avx2 = detect_avx2();
    const char *force = getenv("MUSE_FORCE_SCALAR");
    int forced = force != NULL && force[0] == '1' && force[1] == '\0';
    g_backend = (g_has_avx2 && !forced) ? CK_BACKEND_AVX2 : CK_BACKEND_SCALAR;
}

int ck_cpu_has_avx2(void) { return g_has_avx2; }
ck_backend_t ck_backend(void) { return g_backend; }

static const ck_weight_kernels k_f32 = {CK_TYPE_F32, ck_dot_rows_f32_scalar, ck_dot_rows_f32_avx2, NULL};
static const ck_weight_kernels k_f16 = {CK_TYPE_F16, ck_dot_rows_f16_scalar, ck_dot_rows_f16_avx2, NULL};
static const ck_weight_kernels k_bf16 = {CK_TYPE_BF16, ck_dot_rows_bf16_scalar, ck_dot_rows_bf16_avx2, NULL};
static const ck_weight_kernels k_q4_0 = {CK_TYPE_Q8_0, ck_dot_rows_q4_0_scalar, ck_dot_rows_q4_0_avx2, NULL};
static const ck_weight_kernels k_q4_1 = {
    .activation_type = CK_TYPE_Q8_1, .dot_scalar = ck_dot_rows_q4_1_scalar, .dot_avx2 = ck_dot_rows_q4_1_avx2,
    .pairs_block_bytes = sizeof(block_q8_1_pairs), .pairs_expand_avx2 = ck_expand_q8_1_pairs_avx2,
    .pairs_dot_avx2 = ck_dot_pairs_q4_1_avx2, .pairs_dot2_avx2 = ck_dot_pairs2_q4_1_avx2,
    .pairs_dot4_avx2 = ck_dot_pairs4_q4_1_avx2, .group_block_bytes = sizeof(block_q8_1_group4),
    .group_avx2 = ck_group_q8_1_avx2};
static const ck_weight_kernels k_q5_0 = {CK_TYPE_Q8_0, ck_dot_rows_q5_0_scalar, ck_dot_rows_q5_0_avx2,
                                         ck_dot_rows2_q5_0_avx2};
static const ck_weight_kernels k_q5_1 = {CK_TYPE_Q8_1, ck_dot_rows_q5_1_scalar, ck_dot_rows_q5_1_avx2, NULL};
static const ck_weight_kernels k_q8_0 = {
    .activation_type = CK_TYPE_Q8_0, .dot_scalar = ck_dot_rows_q8_0_scalar, .dot_avx2 = ck_dot_rows_q8_0_avx2,
    .dot2_avx2 = ck_dot_rows2_q8_0_avx2, .group_block_bytes = sizeof(block_q8_0_group4),
    .group_avx2 = ck_group_q8_0_avx2, .dot4_avx2 = ck_dot_rows4_q8_0_avx2};
// K-quants sum in the orders of the kernels llama.cpp's AVX2 build runs: Q4_K is repacked (its
// single-token and grouped-by-four orders), Q5_K/Q6_K use the vector dot below 8 tokens and the
// tiled multiply from 8 on.
static const ck_weight_kernels k_q4_K = {CK_TYPE_Q8_K, ck_dot_rows_q4_K_scalar, ck_dot_rows_q4_K_avx2, NULL,
                                         CK_BATCH_GROUPS_OF_4, ck_dot_rows_q4_K_group_scalar,
                                         ck_dot_rows_q4_K_group_avx2};
static const ck_weight_kernels k_q5_K = {CK_TYPE_Q8_K, ck_dot_rows_q5_K_scalar, ck_dot_rows_q5_K_avx2, NULL,
                                         CK_BATCH_FROM_8, ck_dot_rows_q5_K_batch_scalar, ck_dot_rows_q5_K_batch_avx2};
static const ck_weight_kernels k_q6_K = {CK_TYPE_Q8_K, ck_dot_rows_q6_K_scalar, ck_dot_rows_q6_K_avx2, NULL,
                                         CK_BATCH_FROM_8, ck_dot_rows_q6_K_batch_scalar, ck_dot_rows_q6_K_batch_avx2};

const ck_weight_kernels *ck_kernels_for(int weight_type) {
    switch (weight_type) {
    case CK_TYPE_F32: return &k_f32;
    case CK_TYPE_F16: return &k_f16;
    case CK_TYPE_BF16: return &k_bf16;
    case CK_TYPE_Q4_0: return &k_q4_0;
    case CK_TYPE_Q4_1: return &k_q4_1;
    case CK_TYPE_Q5_0: return &k_q5_0;
    case CK_TYPE_Q5_1: return &k_q5_1;
    case CK_TYPE_Q8_0: return &k_q8_0;
    case CK_TYPE_Q4_K: return &k_q4_K;
    case CK_TYPE_Q5_K: return &k_q5_K;
    case CK_TYPE_Q6_K: return &k_q6_K;
    default: return NULL;
    }
}

int ck_type_has_matmul(int type) { return ck_kernels_for(type) != NULL; }

int ck_activation_type(int weight_type) {
    const ck_weight_kernels *k = ck_kernels_for(weight_type);
    return k ? k->activation_type : -1;
}

int ck_block_size(int type) {
    switch (type) {
    case CK_TYPE_F32: case CK_TYPE_F16: case CK_TYPE_BF16: return 1;
    case CK_TYPE_Q4_0: case CK_TYPE_Q4_1: case CK_TYPE_Q5_0: case CK_TYPE_Q5_1: case CK_TYPE_Q8_0: case CK_TYPE_Q8_1: return QK;
    case CK_TYPE_Q4_K: case CK_TYPE_Q5_K: case CK_TYPE_Q6_K: case CK_TYPE_Q8_K: return QK_K;
    default: return 0;
    }
}

size_t ck_block_bytes(int type) {
    switch (type) {
    case CK_TYPE_F32: return 4;
    case CK_TYPE_F16: case CK_TYPE_BF16: return 2;
    case CK_TYPE_Q4_0: return sizeof(block_q4_0);
    case CK_TYPE_Q4_1: return sizeof(block_q4_1);
    case CK_TYPE_Q5_0: return sizeof(block_q5_0);
    case CK_TYPE_Q5_1: return sizeof(block_q5_1);
    case CK_TYPE_Q8_0: return sizeof(block_q8_0);
    case CK_TYPE_Q8_1: return sizeof(block_q8_1);
    case CK_TYPE_Q4_K: return sizeof(block_q4_K);
    case CK_TYPE_Q5_K: return sizeof(block_q5_K);
    case CK_TYPE_Q6_K: return sizeof(block_q6_K);
    case CK_TYPE_Q8_K: return sizeof(block_q8_K);
    default: return 0;
    }
}

ck_quant_fn ck_quantizer(int type, ck_backend_t backend) {
    int avx = backend == CK_BACKEND_AVX2;
    switch (type) {
    case CK_TYPE_F32: return ck_quantize_f32;
    case CK_TYPE_F16: return ck_quantize_f16_any;
    case CK_TYPE_BF16: return ck_quantize_bf16;
    case CK_TYPE_Q8_0: return avx ? ck_quantize_q8_0_avx2 : ck_quantize_q8_0_scalar;
    case CK_TYPE_Q8_1: return avx ? ck_quantize_q8_1_avx2 : ck_quantize_q8_1_scalar;
    case CK_TYPE_Q8_K: return ck_quantize_q8_K;
    case CK_TYPE_Q4_0: return ck_quantize_q4_0;
    case CK_TYPE_Q4_1: return ck_quantize_q4_1;
    case CK_TYPE_Q5_0: return ck_quantize_q5_0;
    case CK_TYPE_Q5_1: return ck_quantize_q5_1;
    case CK_TYPE_Q4_K: return ck_quantize_q4_K;
    case CK_TYPE_Q5_K: return ck_quantize_q5_K;
    case CK_TYPE_Q6_K: return ck_quantize_q6_K;
    default: return NULL;
    }
}

int ck_quantize_backend(int type, const float *x, void *y, int64_t count, ck_backend_t backend) {
    if (backend == CK_BACKEND_AVX2 && !g_has_avx2) return CK_ERR_BACKEND_UNAVAILABLE;
    ck_quant_fn fn = ck_quantizer(type, backend);
    if (fn == NULL) return CK_ERR_UNSUPPORTED_TYPE;
    int bs = ck_block_size(type);
    if (count < 0 || count % bs != 0) return CK_ERR_BAD_SHAPE;
    fn(x, y, count);
    return CK_OK;
}

int ck_quantize(int type, const float *x, void *y, int64_t count) {
    return ck_quantize_backend(type, x, y, count, g_backend);
}

int ck_vec_dot(int weight_type, int n, const void *w, const void *act, float *out, ck_backend_t backend) {
    const ck_weight_kernels *k = ck_kernels_for(weight_type);
    if (k == NULL) return CK_ERR_UNSUPPORTED_TYPE;
    if (n <= 0 || n % ck_block_size(weight_type) != 0 || n % ck_block_size(k->activation_type) != 0)
        return CK_ERR_BAD_SHAPE;
    if (backend == CK_BACKEND_AVX2 && !g_has_avx2) return CK_ERR_BACKEND_UNAVAILABLE;
    ck_rows_dot_fn fn = backend == CK_BACKEND_AVX2 ? k->dot_avx2 : k->dot_scalar;
    fn(n, 1, (const uint8_t *)w, 0, act, out);
    return CK_OK;
}
