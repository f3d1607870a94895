// Activation quantizers (f32 -> the type a weight row is multiplied with), rounding like
// ggml's x86 CPU backend: scale 127/amax, round half to even (vroundps), f16 block scales.
#include "ck_internal.h"
#include <immintrin.h>
#include <math.h>

static float amax_of(const float *x, int n) {
    float amax = 0.0f;
    for (int j = 0; j < n; j++) {
        float a = fabsf(x[j]);
        if (a > amax) amax = a;
    }
    return amax;
}

// Shared by Q8_0 and Q8_1; returns sum of the quantized values.
static int quantize_block_q8(const float *x, int8_t *qs, float *d_out) {
    float amax = amax_of(x, QK);
    float d = amax / 127.0f;
    float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int sum = 0;
    for (int j = 0; j < QK; j++) {
        int q = (int)nearbyintf(x[j] * id);
        qs[j] = (int8_t)q;
        sum += q;
    }
    *d_out = d;
    return sum;
}

void ck_quantize_q8_0_scalar(const float *x, void *y, int64_t n) {
    block_q8_0 *b = y;
    for (int64_t i = 0; i < n / QK; i++) {
        float d;
        quantize_block_q8(x + i * QK, b[i].qs, &d);
        b[i].d = ck_f32_to_f16(d);
    }
}

void ck_quantize_q8_1_scalar(const float *x, void *y, int64_t n) {
    block_q8_1 *b = y;
    for (int64_t i = 0; i < n / QK; i++) {
        float d;
        int sum = quantize_block_q8(x + i * QK, b[i].qs, &d);
        b[i].d = ck_f32_to_f16(d);
        b[i].s = ck_f32_to_f16(d * (float)sum);
    }
}

// Quantizes 32 floats to 32 int8 in *out; returns the int32 lanes summing to the block sum.
CK_AVX2 static __m256i quantize_block_q8_avx2(const float *x, int8_t *out, float *d_out) {
    __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
    __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
    const __m256 sign_bit = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign_bit, v0);
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign_bit, v1));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign_bit, v2));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign_bit, v3));
    __m128 m4 = _mm_max_ps(_mm256_extractf128_ps(m, 1), _mm256_castps256_ps128(m));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float amax = _mm_cvtss_f32(m4);
    *d_out = amax / 127.0f;
    __m256 mul = _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f);
    #define ROUND_MODE (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
    __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), ROUND_MODE));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), ROUND_MODE));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), ROUND_MODE));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), ROUND_MODE));
    __m256i sums = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    // packs works within 128-bit lanes: the permute restores element order.
    __m256i p01 = _mm256_packs_epi32(i0, i1);
    __m256i p23 = _mm256_packs_epi32(i2, i3);
    __m256i p = _mm256_packs_epi16(p01, p23);
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)out, p);
    return sums;
}

CK_AVX2 static int hsum_i32_8(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

CK_AVX2 void ck_quantize_q8_0_avx2(const float *x, void *y, int64_t n) {
    block_q8_0 *b = y;
    for (int64_t i = 0; i < n / QK; i++) {
        float d;
        quantize_block_q8_avx2(x + i * QK, b[i].qs, &d);
        b[i].d = _cvtss_sh(d, 0);
    }
}

CK_AVX2 void ck_quantize_q8_1_avx2(const float *x, void *y, int64_t n) {
    block_q8_1 *b = y;
    for (int64_t i = 0; i < n / QK; i++) {
        float d;
        __m256i sums = quantize_block_q8_avx2(x + i * QK, b[i].qs, &d);
        b[i].d = _cvtss_sh(d, 0);
        b[i].s = _cvtss_sh(d * (float)hsum_i32_8(sums), 0);
    }
}

// ggml's reference Q8_K: scale from the signed value of largest magnitude, -127/max.
void ck_quantize_q8_K(const float *x, void *y, int64_t n) {
    block_q8_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        float max = 0.0f, amax = 0.0f;
        for (int j = 0; j < QK_K; j++) {
            float a = fabsf(x[j]);
            if (a > amax) {
                amax = a;
                max = x[j];
            }
        }
        if (amax == 0.0f) {
            memset(&b[i], 0, sizeof b[i]);
            continue;
        }
        float iscale = -127.0f / max;
        for (int j = 0; j < QK_K; j++) {
            int v = (int)nearbyintf(iscale * x[j]);
            b[i].qs[j] = (int8_t)(v > 127 ? 127 : v);
        }
        for (int j = 0; j < QK_K / 16; j++) {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += b[i].qs[j * 16 + l];
            b[i].bsums[j] = (int16_t)sum;
        }
        b[i].d = 1.0f / iscale;
    }
}

void ck_quantize_f32(const float *x, void *y, int64_t n) { memcpy(y, x, (size_t)n * sizeof(float)); }

void ck_store_f16_scalar(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = ck_f32_to_f16(x[i]);
}

CK_AVX2 void ck_store_f16_avx2(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(y + i), h);
    }
    for (; i < n; i++) y[i] = _cvtss_sh(x[i], 0);
}

void ck_store_f16(const float *x, uint16_t *y, int64_t n) {
    if (ck_backend() == CK_BACKEND_AVX2) ck_store_f16_avx2(x, y, n);
    else ck_store_f16_scalar(x, y, n);
}

void ck_quantize_f16_any(const float *x, void *y, int64_t n) { ck_store_f16(x, y, n); }

void ck_quantize_bf16(const float *x, void *y, int64_t n) {
    uint16_t *h = y;
    for (int64_t i = 0; i < n; i++) h[i] = ck_f32_to_bf16(x[i]);
}
