#ifndef CK_SIMD_H
#define CK_SIMD_H
// AVX2 helpers shared by the SIMD kernels (private to CKernels).
#include "ck_internal.h"
#include <immintrin.h>
#include <math.h>

// Software prefetch of weight rows, this many bytes ahead of the block being read: the hardware
// prefetcher alone leaves a kernel that reads several rows at once waiting on memory. Measured on
// the 2-core EPYC: +35% on the Q8_0 output matrix in the one-token kernel, tg64 128 -> 154 t/s
// with it in the one-token Q4_1 pair kernel, tg64x8 375 -> 410 t/s in the four-token kernels.
#define CK_PREFETCH_BYTES 1024
#define CK_PREFETCH_ROW(p) _mm_prefetch((const char *)(p) + CK_PREFETCH_BYTES, _MM_HINT_T0)

CK_AVX2 static inline float ck_hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CK_AVX2 static inline float ck_half_avx2(uint16_t h) { return _cvtsh_ss(h); }

/// 16 packed bytes -> 32 nibbles: low nibbles in bytes 0..15, high nibbles in 16..31.
/// Three uops: broadcast the bytes to both lanes, shift the upper lane's 64-bit words right by 4
/// (bits crossing into a neighbour byte are masked off).
CK_AVX2 static inline __m256i ck_nibbles32(const uint8_t *qs) {
    __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    b = _mm256_srlv_epi64(b, _mm256_setr_epi64x(0, 0, 4, 4));
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

/// Sums of adjacent products of unsigned u and signed s bytes, as 8 int32 lanes.
CK_AVX2 static inline __m256i ck_dot_u8_i8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

/// Same for two signed vectors (vpmaddubsw needs one unsigned operand: move the sign over).
CK_AVX2 static inline __m256i ck_dot_i8_i8(__m256i x, __m256i y) {
    return ck_dot_u8_i8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

/// (d, m) of a Q4_1 block as floats in lanes 0 and 1.
CK_AVX2 static inline __m128 q4_1_dm(const block_q4_1 *b) {
    uint32_t dm;
    memcpy(&dm, &b->d, sizeof dm);
    return _mm_cvtph_ps(_mm_cvtsi32_si128((int)dm));
}

CK_AVX2 static inline __m256 lane_broadcast(__m128 v, int lane) {
    return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(v), _mm256_set1_epi32(lane));
}

// exp(x) by the method of Arm's optimized-routines single-precision vector expf (max error
// about 1 ulp): x = n ln2 + b with n = round(x / ln2) found by the add-0x1.8p23 shift trick,
// ln2 split in two parts, then 2^n scaled by a degree-5 polynomial in b. llama.cpp's CPU backend
// computes SiLU's exponential this way; matching it bit for bit keeps the next layer's 8-bit
// activation quantization from flipping on last-bit differences.
CK_AVX2 static inline __m256 ck_expf8(__m256 x) {
    const __m256 shift = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shift);
    const __m256 n = _mm256_sub_ps(z, shift);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1.0f))));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    const __m256 big = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), n), _mm256_set1_ps(126.0f), _CMP_GT_OQ);
    __m256 result = _mm256_fmadd_ps(j, k, k);
    if (_mm256_movemask_ps(big)) {  // |x| > ~87: exp under/overflows; lanes computed by libm
        float lanes[8], in[8];
        _mm256_storeu_ps(lanes, result);
        _mm256_storeu_ps(in, x);
        for (int i = 0; i < 8; i++) if (fabsf(in[i]) > 87.0f) lanes[i] = expf(in[i]);
        result = _mm256_loadu_ps(lanes);
    }
    return result;
}

#endif
