// Several-token kernels for Q8_0: four weight rows x two tokens, and two rows x four tokens per
// pass (Q4_1 has row-pair kernels, ck_dot_pairs_avx2.c). Each weight block is loaded and its
// signs taken once for all the tokens; every (row, token) sum is formed exactly as in the
// one-token kernels of ck_dot_avx2.c, so prefill, batches and decode give identical numbers.
#include "ck_simd.h"

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))
#define ROW_GROUP 4

void ck_dot_rows2_q8_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act0, const void *act1,
                            float *out0, float *out1);
void ck_group_q8_0_avx2(int n, const void *act, void *group, int lane);
void ck_dot_rows4_q8_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *const *act, const void *group,
                            float *const *out);

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

CK_AVX2 void ck_group_q8_0_avx2(int n, const void *act, void *group, int lane) {
    const block_q8_0 *y = act;
    block_q8_0_group4 *g = group;
    for (int i = 0; i < n / QK; i++) g[i].d[lane] = g[i].d[4 + lane] = ck_half_avx2(y[i].d);
}

// Four tokens: their scales come from the group layout, as in the four-token Q4_1 kernel. One
// multiply gives a row's d_x d_y for the four tokens (exact: a product of two halves fits a
// float), an in-lane shuffle broadcasts token t's, the value the one-token kernel broadcasts.
#define ROW4_STEP(t, k, acc)                                                                        \
    do {                                                                                            \
        __m256i qy = _mm256_loadu_si256((const __m256i *)y##t[i].qs);                               \
        __m256i s = ck_dot_u8_i8(aq[k], _mm256_sign_epi8(qy, q[k]));                                \
        acc = _mm256_fmadd_ps(_mm256_permute_ps(sc[k], (t) * 0x55), _mm256_cvtepi32_ps(s), acc);   \
    } while (0)

CK_AVX2 void ck_dot_rows4_q8_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *const *act,
                                    const void *group, float *const *out) {
    const block_q8_0 *y0 = act[0], *y1 = act[1], *y2 = act[2], *y3 = act[3];
    const block_q8_0_group4 *g = group;
    const int nb = n / QK;
    int r = 0;
    for (; r + 2 <= nrows; r += 2) {
        const block_q8_0 *x0 = ROW(w, r, rb), *x1 = ROW(w, r + 1, rb);
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < nb; i++) {
            CK_PREFETCH_ROW(&x0[i]);
            CK_PREFETCH_ROW(&x1[i]);
            __m256 dy = _mm256_loadu_ps(g[i].d);
            __m256i q[2] = {_mm256_loadu_si256((const __m256i *)x0[i].qs), _mm256_loadu_si256((const __m256i *)x1[i].qs)};
            __m256i aq[2] = {_mm256_sign_epi8(q[0], q[0]), _mm256_sign_epi8(q[1], q[1])};
            __m256 sc[2] = {_mm256_mul_ps(_mm256_set1_ps(ck_half_avx2(x0[i].d)), dy),
                            _mm256_mul_ps(_mm256_set1_ps(ck_half_avx2(x1[i].d)), dy)};
            ROW4_STEP(0, 0, a0);
            ROW4_STEP(1, 0, a1);
            ROW4_STEP(2, 0, a2);
            ROW4_STEP(3, 0, a3);
            ROW4_STEP(0, 1, b0);
            ROW4_STEP(1, 1, b1);
            ROW4_STEP(2, 1, b2);
            ROW4_STEP(3, 1, b3);
        }
        out[0][r] = ck_hsum_ps(a0);
        out[1][r] = ck_hsum_ps(a1);
        out[2][r] = ck_hsum_ps(a2);
        out[3][r] = ck_hsum_ps(a3);
        out[0][r + 1] = ck_hsum_ps(b0);
        out[1][r + 1] = ck_hsum_ps(b1);
        out[2][r + 1] = ck_hsum_ps(b2);
        out[3][r + 1] = ck_hsum_ps(b3);
    }
    if (r < nrows)
        for (int t = 0; t < 4; t++) ck_dot_rows_q8_0_avx2(n, nrows - r, w + (size_t)r * rb, rb, act[t], out[t] + r);
}
#undef ROW4_STEP
