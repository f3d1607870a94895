#ifndef CK_SIMD_H
#define CK_SIMD_H
// AVX2 helpers shared by the SIMD kernels (private to CKernels).
#include "ck_internal.h"
#include <immintrin.h>

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

#endif
