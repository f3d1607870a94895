// Prefill kernel for Q8_0: four weight rows x two activation rows per pass (Q4_1 has row-pair
// kernels, ck_dot_pairs_avx2.c). Each weight block is loaded once for both tokens; every
// (row, token) sum is formed exactly as in the one-token kernels of ck_dot_avx2.c, so prefill and
// decode give identical numbers.
#include "ck_simd.h"

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))
#define ROW_GROUP 4

void ck_dot_rows2_q8_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act0, const void *act1,
                            float *out0, float *out1);

CK_AVX2 void ck_dot_rows2_q8_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act0,
                                    const void *act1, float *out0, float *out1) {
    const block_q8_0 *y0 = act0, *y1 = act1;
    const int nb = n / QK;
    int r = 0;
    for (; r + ROW_GROUP <= nrows; r += ROW_GROUP) {
        const block_q8_0 *x[ROW_GROUP] = {ROW(w, r, rb), ROW(w, r + 1, rb), ROW(w, r + 2, rb), ROW(w, r + 3, rb)};
        __m256 a0[ROW_GROUP], a1[ROW_GROUP];
        for (int k = 0; k < ROW_GROUP; k++) a0[k] = a1[k] = _mm256_setzero_ps();
        for (int i = 0; i < nb; i++) {
            __m256i qy0 = _mm256_loadu_si256((const __m256i *)y0[i].qs);
            __m256i qy1 = _mm256_loadu_si256((const __m256i *)y1[i].qs);
            float dy0 = ck_half_avx2(y0[i].d), dy1 = ck_half_avx2(y1[i].d);
            for (int k = 0; k < ROW_GROUP; k++) {
                __m256i q = _mm256_loadu_si256((const __m256i *)x[k][i].qs);
                __m256i aq = _mm256_sign_epi8(q, q);
                float dx = ck_half_avx2(x[k][i].d);
                __m256i s0 = ck_dot_u8_i8(aq, _mm256_sign_epi8(qy0, q));
                __m256i s1 = ck_dot_u8_i8(aq, _mm256_sign_epi8(qy1, q));
                a0[k] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy0), _mm256_cvtepi32_ps(s0), a0[k]);
                a1[k] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy1), _mm256_cvtepi32_ps(s1), a1[k]);
            }
        }
        for (int k = 0; k < ROW_GROUP; k++) {
            out0[r + k] = ck_hsum_ps(a0[k]);
            out1[r + k] = ck_hsum_ps(a1[k]);
        }
    }
    if (r < nrows) {
        ck_dot_rows_q8_0_avx2(n, nrows - r, w + (size_t)r * rb, rb, act0, out0 + r);
        ck_dot_rows_q8_0_avx2(n, nrows - r, w + (size_t)r * rb, rb, act1, out1 + r);
    }
}
