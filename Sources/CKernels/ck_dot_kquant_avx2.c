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

CK_AVX2 static inline int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

// Order of llama.cpp's repacked Q4_K kernels (what its AVX2 build runs): one integer sum per
// super-block, acc = fma(float(sum), d * dy, acc), the mins likewise, result acc - acc_mins.
CK_AVX2 void ck_dot_rows_q4_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_K *x = ROW(w, r, rb);
        float acc = 0.0f, acc_mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            uint8_t sc[8], mn[8];
            unpack_scales(x[i].scales, sc, mn);
            int sum = hsum_epi32(k4_block_sums(x[i].qs, NULL, sc, y[i].qs));
            acc = fmaf((float)sum, ck_half_avx2(x[i].d) * y[i].d, acc);
            acc_mins = fmaf((float)mins_dot(mn, y[i].bsums), ck_half_avx2(x[i].dmin) * y[i].d, acc_mins);
        }
        out[r] = acc - acc_mins;
    }
}

// Tokens in whole groups of four: one fma per 64 elements (llama.cpp's repacked batch multiply).
CK_AVX2 void ck_dot_rows_q4_K_group_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int r = 0; r < nrows; r++) {
        const block_q4_K *x = ROW(w, r, rb);
        float acc = 0.0f, acc_mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            uint8_t sc[8], mn[8];
            unpack_scales(x[i].scales, sc, mn);
            float d = ck_half_avx2(x[i].d) * y[i].d, dmin = ck_half_avx2(x[i].dmin) * y[i].d;
            __m256i part[4];
            for (int c = 0; c < 4; c++) {
                __m256i q = _mm256_loadu_si256((const __m256i *)(x[i].qs + 32 * c));
                __m256i y0 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * c));
                __m256i y1 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * c + 32));
                __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_and_si256(q, low4), y0),
                                               _mm256_set1_epi16(sc[2 * c]));
                __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), low4), y1),
                                               _mm256_set1_epi16(sc[2 * c + 1]));
                part[c] = _mm256_add_epi32(p0, p1);
            }
            // The four 64-element sums at once (integer adds, so any order is exact).
            __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(part[0], part[1]), _mm256_hadd_epi32(part[2], part[3]));
            __m128i sums4 = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
            int sums[4];
            _mm_storeu_si128((__m128i *)sums, sums4);
            for (int c = 0; c < 4; c++) {
                int mins = mn[2 * c] * (y[i].bsums[4 * c] + y[i].bsums[4 * c + 1]) +
                           mn[2 * c + 1] * (y[i].bsums[4 * c + 2] + y[i].bsums[4 * c + 3]);
                acc = fmaf((float)sums[c], d, acc);
                acc_mins = fmaf((float)mins, dmin, acc_mins);
            }
        }
        out[r] = acc - acc_mins;
    }
}

// llama.cpp's AVX2 vector-dot order: 8 float lanes with one fma per super-block, mins in a scalar
// fma chain with -dmin, added after the horizontal sum.
CK_AVX2 void ck_dot_rows_q5_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_K *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        float mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            uint8_t sc[8], mn[8];
            unpack_scales(x[i].scales, sc, mn);
            float d = y[i].d * ck_half_avx2(x[i].d), dmin = -y[i].d * ck_half_avx2(x[i].dmin);
            __m256i sumi = k4_block_sums(x[i].qs, x[i].qh, sc, y[i].qs);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
            mins = fmaf(dmin, (float)mins_dot(mn, y[i].bsums), mins);
        }
        out[r] = ck_hsum_ps(acc) + mins;
    }
}

// Q6_K values are stored as q + 32 in 0..63: multiply the unsigned form (vpmaddubsw needs it)
// and subtract 32 * sum_j sc_j * bsum_j afterwards, spread over the lanes as llama.cpp does.
CK_AVX2 static inline __m256i q6_block_sums(const block_q6_K *x, const block_q8_K *y) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(3);
    __m256i sumi = _mm256_setzero_si256();
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = x->ql + 64 * h, *qhp = x->qh + 32 * h;
        const int8_t *q8 = y->qs + 128 * h, *sc = x->scales + 8 * h;
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
    // Lane k's share of the offset: 32 * (sc[2k] * bsum[2k] + sc[2k+1] * bsum[2k+1]).
    __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x->scales));
    __m256i bsums = _mm256_loadu_si256((const __m256i *)y->bsums);
    return _mm256_sub_epi32(sumi, _mm256_slli_epi32(_mm256_madd_epi16(bsums, scales16), 5));
}

CK_AVX2 void ck_dot_rows_q6_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q6_K *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < n / QK_K; i++) {
            float d = y[i].d * ck_half_avx2(x[i].d);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(q6_block_sums(&x[i], &y[i])), acc);
        }
        out[r] = ck_hsum_ps(acc);
    }
}

// Batches of 8+ tokens, in the order of llama.cpp's tiled K-quant multiply: one integer sum per
// super-block, r = d * float(sum) [- dmin * float(mins), fused], acc = fma(r, dy, acc).
CK_AVX2 void ck_dot_rows_q6_K_batch_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q6_K *x = ROW(w, r, rb);
        float acc = 0.0f;
        for (int i = 0; i < n / QK_K; i++)
            acc = fmaf(ck_half_avx2(x[i].d) * (float)hsum_epi32(q6_block_sums(&x[i], &y[i])), y[i].d, acc);
        out[r] = acc;
    }
}

CK_AVX2 void ck_dot_rows_q5_K_batch_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_K *x = ROW(w, r, rb);
        float acc = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            uint8_t sc[8], mn[8];
            unpack_scales(x[i].scales, sc, mn);
            float sum = (float)hsum_epi32(k4_block_sums(x[i].qs, x[i].qh, sc, y[i].qs));
            float res = fmaf(-ck_half_avx2(x[i].dmin), (float)mins_dot(mn, y[i].bsums), ck_half_avx2(x[i].d) * sum);
            acc = fmaf(res, y[i].d, acc);
        }
        out[r] = acc;
    }
}
