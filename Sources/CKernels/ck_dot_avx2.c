// AVX2 row dot products for the float types and the 32-element quants. Quantized kernels
// process four weight rows per pass so each activation block is loaded once for all four.
#include "ck_simd.h"
#include <math.h>

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))
#define ROW_GROUP 4

CK_AVX2 void ck_dot_rows_f32_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const float *y = act;
    for (int r = 0; r < nrows; r++) {
        const float *x = ROW(w, r, rb);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        int i = 0;
        for (; i + 32 <= n; i += 32) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), a3);
        }
        for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        float sum = ck_hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; i < n; i++) sum += x[i] * y[i];
        out[r] = sum;
    }
}

CK_AVX2 static inline __m256 load_f16x8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

CK_AVX2 static inline __m256 load_bf16x8(const uint16_t *p) {
    __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}

#define HALF_DOT(NAME, LOAD, SCALAR)                                                                  \
    CK_AVX2 void NAME(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {  \
        const uint16_t *y = act;                                                                     \
        for (int r = 0; r < nrows; r++) {                                                            \
            const uint16_t *x = ROW(w, r, rb);                                                       \
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();                               \
            __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();                               \
            int i = 0;                                                                               \
            for (; i + 32 <= n; i += 32) {                                                           \
                a0 = _mm256_fmadd_ps(LOAD(x + i), LOAD(y + i), a0);                                  \
                a1 = _mm256_fmadd_ps(LOAD(x + i + 8), LOAD(y + i + 8), a1);                          \
                a2 = _mm256_fmadd_ps(LOAD(x + i + 16), LOAD(y + i + 16), a2);                        \
                a3 = _mm256_fmadd_ps(LOAD(x + i + 24), LOAD(y + i + 24), a3);                        \
            }                                                                                        \
            for (; i + 8 <= n; i += 8) a0 = _mm256_fmadd_ps(LOAD(x + i), LOAD(y + i), a0);           \
            float sum = ck_hsum_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));     \
            for (; i < n; i++) sum += SCALAR(x[i]) * SCALAR(y[i]);                                   \
            out[r] = sum;                                                                            \
        }                                                                                            \
    }

HALF_DOT(ck_dot_rows_f16_avx2, load_f16x8, ck_f16_to_f32)
HALF_DOT(ck_dot_rows_bf16_avx2, load_bf16x8, ck_bf16_to_f32)

CK_AVX2 static inline __m256i q4_0_values(const uint8_t *qs) {
    return _mm256_sub_epi8(ck_nibbles32(qs), _mm256_set1_epi8(8));
}

CK_AVX2 void ck_dot_rows_q4_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_0 *y = act;
    const int nb = n / QK;
    for (int r = 0; r < nrows; r++) {
        const block_q4_0 *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < nb; i++) {
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            __m256 p = _mm256_cvtepi32_ps(ck_dot_i8_i8(q4_0_values(x[i].qs), qy));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x[i].d) * ck_half_avx2(y[i].d)), p, acc);
        }
        out[r] = ck_hsum_ps(acc);
    }
}

CK_AVX2 void ck_dot_rows_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_1 *y = act;
    const int nb = n / QK;
    int r = 0;
    for (; r + ROW_GROUP <= nrows; r += ROW_GROUP) {
        const block_q4_1 *x0 = ROW(w, r, rb), *x1 = ROW(w, r + 1, rb);
        const block_q4_1 *x2 = ROW(w, r + 2, rb), *x3 = ROW(w, r + 3, rb);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        __m128 msum = _mm_setzero_ps(); // m_r * s summed per row r (lanes 0..3)
        for (int i = 0; i < nb; i++) {
            CK_PREFETCH_ROW(&x0[i]);
            CK_PREFETCH_ROW(&x1[i]);
            CK_PREFETCH_ROW(&x2[i]);
            CK_PREFETCH_ROW(&x3[i]);
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            float dy = ck_half_avx2(y[i].d), sy = ck_half_avx2(y[i].s);
            // Scales of the four rows: d = (d0 d1 d2 d3), m = (m0 m1 m2 m3).
            __m128 lo = _mm_unpacklo_ps(q4_1_dm(&x0[i]), q4_1_dm(&x1[i])); // d0 d1 m0 m1
            __m128 hi = _mm_unpacklo_ps(q4_1_dm(&x2[i]), q4_1_dm(&x3[i])); // d2 d3 m2 m3
            __m128 d = _mm_mul_ps(_mm_movelh_ps(lo, hi), _mm_set1_ps(dy));
            msum = _mm_fmadd_ps(_mm_movehl_ps(hi, lo), _mm_set1_ps(sy), msum);
            __m256 p0 = _mm256_cvtepi32_ps(ck_dot_u8_i8(ck_nibbles32(x0[i].qs), qy));
            __m256 p1 = _mm256_cvtepi32_ps(ck_dot_u8_i8(ck_nibbles32(x1[i].qs), qy));
            __m256 p2 = _mm256_cvtepi32_ps(ck_dot_u8_i8(ck_nibbles32(x2[i].qs), qy));
            __m256 p3 = _mm256_cvtepi32_ps(ck_dot_u8_i8(ck_nibbles32(x3[i].qs), qy));
            a0 = _mm256_fmadd_ps(lane_broadcast(d, 0), p0, a0);
            a1 = _mm256_fmadd_ps(lane_broadcast(d, 1), p1, a1);
            a2 = _mm256_fmadd_ps(lane_broadcast(d, 2), p2, a2);
            a3 = _mm256_fmadd_ps(lane_broadcast(d, 3), p3, a3);
        }
        float m[4];
        _mm_storeu_ps(m, msum);
        out[r] = ck_hsum_ps(a0) + m[0];
        out[r + 1] = ck_hsum_ps(a1) + m[1];
        out[r + 2] = ck_hsum_ps(a2) + m[2];
        out[r + 3] = ck_hsum_ps(a3) + m[3];
    }
    for (; r < nrows; r++) {
        const block_q4_1 *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        float ms = 0;
        for (int i = 0; i < nb; i++) {
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            __m256 p = _mm256_cvtepi32_ps(ck_dot_u8_i8(ck_nibbles32(x[i].qs), qy));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x[i].d) * ck_half_avx2(y[i].d)), p, acc);
            ms = fmaf(ck_half_avx2(x[i].m), ck_half_avx2(y[i].s), ms); // fused, as in the row groups
        }
        out[r] = ck_hsum_ps(acc) + ms;
    }
}

CK_AVX2 void ck_dot_rows_q8_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_0 *y = act;
    const int nb = n / QK;
    int r = 0;
    for (; r + ROW_GROUP <= nrows; r += ROW_GROUP) {
        const block_q8_0 *x0 = ROW(w, r, rb), *x1 = ROW(w, r + 1, rb);
        const block_q8_0 *x2 = ROW(w, r + 2, rb), *x3 = ROW(w, r + 3, rb);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
        for (int i = 0; i < nb; i++) {
            CK_PREFETCH_ROW(&x0[i]);
            CK_PREFETCH_ROW(&x1[i]);
            CK_PREFETCH_ROW(&x2[i]);
            CK_PREFETCH_ROW(&x3[i]);
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            float dy = ck_half_avx2(y[i].d);
            __m256 p0 = _mm256_cvtepi32_ps(ck_dot_i8_i8(_mm256_loadu_si256((const __m256i *)x0[i].qs), qy));
            __m256 p1 = _mm256_cvtepi32_ps(ck_dot_i8_i8(_mm256_loadu_si256((const __m256i *)x1[i].qs), qy));
            __m256 p2 = _mm256_cvtepi32_ps(ck_dot_i8_i8(_mm256_loadu_si256((const __m256i *)x2[i].qs), qy));
            __m256 p3 = _mm256_cvtepi32_ps(ck_dot_i8_i8(_mm256_loadu_si256((const __m256i *)x3[i].qs), qy));
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x0[i].d) * dy), p0, a0);
            a1 = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x1[i].d) * dy), p1, a1);
            a2 = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x2[i].d) * dy), p2, a2);
            a3 = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x3[i].d) * dy), p3, a3);
        }
        out[r] = ck_hsum_ps(a0);
        out[r + 1] = ck_hsum_ps(a1);
        out[r + 2] = ck_hsum_ps(a2);
        out[r + 3] = ck_hsum_ps(a3);
    }
    for (; r < nrows; r++) {
        const block_q8_0 *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < nb; i++) {
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            __m256 p = _mm256_cvtepi32_ps(ck_dot_i8_i8(_mm256_loadu_si256((const __m256i *)x[i].qs), qy));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x[i].d) * ck_half_avx2(y[i].d)), p, acc);
        }
        out[r] = ck_hsum_ps(acc);
    }
}
