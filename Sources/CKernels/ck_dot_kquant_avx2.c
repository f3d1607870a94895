// AVX2 row dot products for the K-quants (256-element super-blocks x Q8_K activations).
// Integer sums per sub-block: vpmaddubsw (unsigned weights x signed activations) then vpmaddwd
// with the sub-block scale, so the scale multiply rides along with the pairwise add.
#include "ck_simd.h"

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))

/// Unpacks the eight 6-bit scales and mins of a Q4_K/Q5_K super-block.
static inline void unpack_scales(const uint8_t *packed, uint8_t sc[8], uint8_t mn[8]) {
    for (int j = 0; j < 8; j++) ck_scale_min_k4(j, packed, &sc[j], &mn[j]);
}

/// sum_j mins[j] * (bsums[2j] + bsums[2j+1]).
static inline int mins_dot(const uint8_t mn[8], const int16_t *bsums) {
    int s = 0;
    for (int j = 0; j < 8; j++) s += mn[j] * (bsums[2 * j] + bsums[2 * j + 1]);
    return s;
}

/// Q4_K (qh == NULL) or Q5_K super-block: 8 int32 lanes summing to sum_j sc_j * dot_j.
CK_AVX2 static inline __m256i k4_block_sums(const uint8_t *qs, const uint8_t *qh, const uint8_t sc[8], const int8_t *q8) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256i sumi = _mm256_setzero_si256();
    __m256i hbits = qh ? _mm256_loadu_si256((const __m256i *)qh) : _mm256_setzero_si256();
    for (int c = 0; c < 4; c++) {
        __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * c));
        __m256i lo = _mm256_and_si256(q, low4);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
        if (qh) {
            // Fifth bit: bit 2c of qh[l] for the low half, bit 2c+1 for the high half.
            __m256i mlo = _mm256_set1_epi8((char)(1 << (2 * c))), mhi = _mm256_set1_epi8((char)(2 << (2 * c)));
            __m256i sixteen = _mm256_set1_epi8(16);
            lo = _mm256_or_si256(lo, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hbits, mlo), mlo), sixteen));
            hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hbits, mhi), mhi), sixteen));
        }
        __m256i y0 = _mm256_loadu_si256((const __m256i *)(q8 + 64 * c));
        __m256i y1 = _mm256_loadu_si256((const __m256i *)(q8 + 64 * c + 32));
        __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y0), _mm256_set1_epi16(sc[2 * c]));
        __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y1), _mm256_set1_epi16(sc[2 * c + 1]));
        sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
    }
    return sumi;
}

CK_AVX2 void ck_dot_rows_q4_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_K *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        float mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            uint8_t sc[8], mn[8];
            unpack_scales(x[i].scales, sc, mn);
            float d = ck_half_avx2(x[i].d) * y[i].d, dmin = ck_half_avx2(x[i].dmin) * y[i].d;
            __m256i sumi = k4_block_sums(x[i].qs, NULL, sc, y[i].qs);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
            mins += dmin * (float)mins_dot(mn, y[i].bsums);
        }
        out[r] = ck_hsum_ps(acc) - mins;
    }
}

CK_AVX2 void ck_dot_rows_q5_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_K *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        float mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            uint8_t sc[8], mn[8];
            unpack_scales(x[i].scales, sc, mn);
            float d = ck_half_avx2(x[i].d) * y[i].d, dmin = ck_half_avx2(x[i].dmin) * y[i].d;
            __m256i sumi = k4_block_sums(x[i].qs, x[i].qh, sc, y[i].qs);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
            mins += dmin * (float)mins_dot(mn, y[i].bsums);
        }
        out[r] = ck_hsum_ps(acc) - mins;
    }
}

// Q6_K values are stored as q + 32 in 0..63: multiply the unsigned form (vpmaddubsw needs it)
// and subtract 32 * sum_j sc_j * bsum_j afterwards.
CK_AVX2 void ck_dot_rows_q6_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(3);
    for (int r = 0; r < nrows; r++) {
        const block_q6_K *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < n / QK_K; i++) {
            __m256i sumi = _mm256_setzero_si256();
            for (int h = 0; h < 2; h++) {
                const uint8_t *ql = x[i].ql + 64 * h, *qhp = x[i].qh + 32 * h;
                const int8_t *q8 = y[i].qs + 128 * h, *sc = x[i].scales + 8 * h;
                __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
                __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
                __m256i qh = _mm256_loadu_si256((const __m256i *)qhp);
                __m256i q[4];
                q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4));
                q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), low2), 4));
                q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), low2), 4));
                q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), low2), 4));
                for (int k = 0; k < 4; k++) {
                    __m256i yk = _mm256_loadu_si256((const __m256i *)(q8 + 32 * k));
                    __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                    sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], yk), scales));
                }
            }
            int offset = 0;
            for (int j = 0; j < QK_K / 16; j++) offset += x[i].scales[j] * y[i].bsums[j];
            float d = ck_half_avx2(x[i].d) * y[i].d;
            sumi = _mm256_sub_epi32(sumi, _mm256_setr_epi32(32 * offset, 0, 0, 0, 0, 0, 0, 0));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        }
        out[r] = ck_hsum_ps(acc);
    }
}
