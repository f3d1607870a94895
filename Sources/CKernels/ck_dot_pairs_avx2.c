// Q4_1 x Q8_1 by row pairs. The 16 nibble bytes of two weight rows share one 256-bit vector
// (row r in the low lane, row r+1 in the high lane) and the activation's halves are repeated in
// both lanes (block_q8_1_pairs), so one vpmaddubsw serves two rows without the lane shuffles
// that unpacking one row's low and high nibbles costs. Lane j of the low-nibble products holds
// exactly the int32 that lane j (0..3) of the one-row kernel holds, the high-nibble products its
// lanes 4..7, and both are scaled and accumulated in the same order; the two halves are joined
// once per row at the end. Results are therefore bit-identical to ck_dot_rows_q4_1_avx2 (and to
// llama.cpp's kernel), at fewer shuffle-port operations per block: on this machine about 1.3x the
// one-row speed for one token and 1.7x for two.
//
// Four tokens share one unpacked block (ck_dot_pairs4_q4_1_avx2). Their eight accumulators fill
// half the registers, so the per-token scale vector and offset term come from a group layout
// (block_q8_1_group4) instead of one register each: one multiply gives all eight (row, token)
// scales of a block and an in-lane shuffle hands each token its own; one fma gives all eight
// offset terms. Every lane still performs exactly the one-row kernel's operation sequence, so
// the results stay bit-identical; the multiplier ports, the bottleneck here, do about 20% less
// work per token than with two tokens.
#include "ck_simd.h"

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))

void ck_expand_q8_1_pairs_avx2(int n, const void *act, void *pairs);
void ck_dot_pairs_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, const void *pairs,
                            float *out);
void ck_dot_pairs2_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act0, const void *pairs0,
                             const void *act1, const void *pairs1, float *out0, float *out1);
void ck_group_q8_1_avx2(int n, const void *act, void *group, int lane);
void ck_dot_pairs4_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *const *act,
                             const void *const *pairs, const void *group, float *const *out);

CK_AVX2 void ck_expand_q8_1_pairs_avx2(int n, const void *act, void *pairs) {
    const block_q8_1 *y = act;
    block_q8_1_pairs *p = pairs;
    for (int i = 0; i < n / QK; i++) {
        _mm256_storeu_ps(p[i].d, _mm256_set1_ps(ck_half_avx2(y[i].d)));
        _mm_storeu_ps(p[i].s, _mm_set1_ps(ck_half_avx2(y[i].s)));
        __m128i lo = _mm_loadu_si128((const __m128i *)y[i].qs);
        __m128i hi = _mm_loadu_si128((const __m128i *)(y[i].qs + QK / 2));
        _mm256_storeu_si256((__m256i *)p[i].lo, _mm256_set_m128i(lo, lo));
        _mm256_storeu_si256((__m256i *)p[i].hi, _mm256_set_m128i(hi, hi));
    }
}

/// Nibble bytes of two rows' blocks: row a in the low lane, row b in the high lane.
CK_AVX2 static inline __m256i pair_nibbles(const block_q4_1 *a, const block_q4_1 *b) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)a->qs)),
                                   _mm_loadu_si128((const __m128i *)b->qs), 1);
}

/// (d_a x4 | d_b x4) for the products; (d_a m_a d_b m_b) in *dm for the offset terms.
CK_AVX2 static inline __m256 pair_scales(const block_q4_1 *a, const block_q4_1 *b, __m128 *dm) {
    uint32_t da, db;
    memcpy(&da, &a->d, sizeof da);
    memcpy(&db, &b->d, sizeof db);
    *dm = _mm_cvtph_ps(_mm_unpacklo_epi32(_mm_cvtsi32_si128((int)da), _mm_cvtsi32_si128((int)db)));
    return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(*dm), _mm256_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2));
}

/// One block of one token for a row pair: lo/hi are the pair's low and high nibbles.
typedef struct { __m256 lo, hi; __m128 m; } pair_acc;

CK_AVX2 static inline void pair_step(pair_acc *acc, __m256i lo, __m256i hi, __m256 d, __m128 dm,
                                     const block_q8_1_pairs *y) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 scale = _mm256_mul_ps(d, _mm256_loadu_ps(y->d));
    __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)y->lo)), ones);
    __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)y->hi)), ones);
    acc->lo = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(plo), acc->lo);
    acc->hi = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(phi), acc->hi);
    acc->m = _mm_fmadd_ps(dm, _mm_loadu_ps(y->s), acc->m); // lanes 1 and 3: m_a * s, m_b * s
}

/// A row pair's results from its low- and high-nibble accumulators and offset terms: row a's
/// eight lanes are lo's and hi's low halves (llama.cpp's lane order), row b's their high halves.
CK_AVX2 static inline void pair_results(__m256 lo, __m256 hi, float m_a, float m_b, float *out_a, float *out_b) {
    *out_a = ck_hsum_ps(_mm256_permute2f128_ps(lo, hi, 0x20)) + m_a;
    *out_b = ck_hsum_ps(_mm256_permute2f128_ps(lo, hi, 0x31)) + m_b;
}

CK_AVX2 static inline void pair_finish(const pair_acc *acc, float *out) {
    float m[4];
    _mm_storeu_ps(m, acc->m);
    pair_results(acc->lo, acc->hi, m[1], m[3], out, out + 1);
}

static inline pair_acc pair_zero(void) {
    pair_acc a;
    memset(&a, 0, sizeof a);
    return a;
}

// One token: two pairs (four rows) per pass, which keeps both vector ports busy.
CK_AVX2 void ck_dot_pairs_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act,
                                    const void *pairs, float *out) {
    const block_q8_1_pairs *y = pairs;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const int nb = n / QK;
    int r = 0;
    for (; r + 4 <= nrows; r += 4) {
        const block_q4_1 *x0 = ROW(w, r, rb), *x1 = ROW(w, r + 1, rb), *x2 = ROW(w, r + 2, rb), *x3 = ROW(w, r + 3, rb);
        pair_acc a = pair_zero(), b = pair_zero();
        for (int i = 0; i < nb; i++) {
            CK_PREFETCH_ROW(&x0[i]);
            CK_PREFETCH_ROW(&x1[i]);
            CK_PREFETCH_ROW(&x2[i]);
            CK_PREFETCH_ROW(&x3[i]);
            __m256i p = pair_nibbles(&x0[i], &x1[i]), q = pair_nibbles(&x2[i], &x3[i]);
            __m128 dmp, dmq;
            __m256 dp = pair_scales(&x0[i], &x1[i], &dmp), dq = pair_scales(&x2[i], &x3[i], &dmq);
            pair_step(&a, _mm256_and_si256(p, m4), _mm256_and_si256(_mm256_srli_epi16(p, 4), m4), dp, dmp, &y[i]);
            pair_step(&b, _mm256_and_si256(q, m4), _mm256_and_si256(_mm256_srli_epi16(q, 4), m4), dq, dmq, &y[i]);
        }
        pair_finish(&a, out + r);
        pair_finish(&b, out + r + 2);
    }
    if (r < nrows) ck_dot_rows_q4_1_avx2(n, nrows - r, w + (size_t)r * rb, rb, act, out + r);
}

// Two tokens: one pair per pass; each pair's nibbles and scales are unpacked once for both.
CK_AVX2 void ck_dot_pairs2_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act0,
                                     const void *pairs0, const void *act1, const void *pairs1, float *out0,
                                     float *out1) {
    const block_q8_1_pairs *y0 = pairs0, *y1 = pairs1;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const int nb = n / QK;
    int r = 0;
    for (; r + 2 <= nrows; r += 2) {
        const block_q4_1 *x0 = ROW(w, r, rb), *x1 = ROW(w, r + 1, rb);
        pair_acc a = pair_zero(), b = pair_zero();
        for (int i = 0; i < nb; i++) {
            __m256i p = pair_nibbles(&x0[i], &x1[i]);
            __m256i lo = _mm256_and_si256(p, m4), hi = _mm256_and_si256(_mm256_srli_epi16(p, 4), m4);
            __m128 dm;
            __m256 d = pair_scales(&x0[i], &x1[i], &dm);
            pair_step(&a, lo, hi, d, dm, &y0[i]);
            pair_step(&b, lo, hi, d, dm, &y1[i]);
        }
        pair_finish(&a, out0 + r);
        pair_finish(&b, out1 + r);
    }
    if (r < nrows) {
        ck_dot_rows_q4_1_avx2(n, nrows - r, w + (size_t)r * rb, rb, act0, out0 + r);
        ck_dot_rows_q4_1_avx2(n, nrows - r, w + (size_t)r * rb, rb, act1, out1 + r);
    }
}

CK_AVX2 void ck_group_q8_1_avx2(int n, const void *act, void *group, int lane) {
    const block_q8_1 *y = act;
    block_q8_1_group4 *g = group;
    for (int i = 0; i < n / QK; i++) {
        g[i].d[lane] = g[i].d[4 + lane] = ck_half_avx2(y[i].d);
        g[i].s[lane] = g[i].s[4 + lane] = ck_half_avx2(y[i].s);
    }
}

/// (d_a x4 | d_b x4) and (m_a x4 | m_b x4) of a row pair's blocks.
CK_AVX2 static inline void pair_scales4(const block_q4_1 *a, const block_q4_1 *b, __m256 *d, __m256 *m) {
    uint32_t da, db;
    memcpy(&da, &a->d, sizeof da);
    memcpy(&db, &b->d, sizeof db);
    __m128 dm = _mm_cvtph_ps(_mm_unpacklo_epi32(_mm_cvtsi32_si128((int)da), _mm_cvtsi32_si128((int)db)));
    __m256 both = _mm256_castps128_ps256(dm);
    both = _mm256_permute2f128_ps(both, both, 0);                           // (d_a m_a d_b m_b | same)
    both = _mm256_blend_ps(both, _mm256_permute_ps(both, 0xEE), 0xF0);     // (d_a m_a . . | d_b m_b . .)
    *d = _mm256_permute_ps(both, 0x00);
    *m = _mm256_permute_ps(both, 0x55);
}

// Token t of four: `scales` holds (d_a dy_t | d_b dy_t) in lanes t and 4 + t; the shuffle
// broadcasts them across each half, which is the pair kernel's scale vector for that token.
#define QUAD_STEP(t, y, lo_acc, hi_acc)                                                                           \
    do {                                                                                                         \
        __m256 sc = _mm256_permute_ps(scales, (t) * 0x55);                                                       \
        __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(y)->lo)), ones); \
        __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(y)->hi)), ones); \
        lo_acc = _mm256_fmadd_ps(sc, _mm256_cvtepi32_ps(plo), lo_acc);                                           \
        hi_acc = _mm256_fmadd_ps(sc, _mm256_cvtepi32_ps(phi), hi_acc);                                           \
    } while (0)

CK_AVX2 void ck_dot_pairs4_q4_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *const *act,
                                     const void *const *pairs, const void *group, float *const *out) {
    const block_q8_1_pairs *y0 = pairs[0], *y1 = pairs[1], *y2 = pairs[2], *y3 = pairs[3];
    const block_q8_1_group4 *g = group;
    const __m256i m4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    const int nb = n / QK;
    int r = 0;
    for (; r + 2 <= nrows; r += 2) {
        const block_q4_1 *x0 = ROW(w, r, rb), *x1 = ROW(w, r + 1, rb);
        __m256 l0 = _mm256_setzero_ps(), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
        __m256 offsets = l0; // lane t: m_a s_t, lane 4 + t: m_b s_t
        for (int i = 0; i < nb; i++) {
            CK_PREFETCH_ROW(&x0[i]);
            CK_PREFETCH_ROW(&x1[i]);
            __m256i p = pair_nibbles(&x0[i], &x1[i]);
            __m256i lo = _mm256_and_si256(p, m4), hi = _mm256_and_si256(_mm256_srli_epi16(p, 4), m4);
            __m256 d, m;
            pair_scales4(&x0[i], &x1[i], &d, &m);
            __m256 scales = _mm256_mul_ps(d, _mm256_loadu_ps(g[i].d));
            offsets = _mm256_fmadd_ps(m, _mm256_loadu_ps(g[i].s), offsets);
            QUAD_STEP(0, &y0[i], l0, h0);
            QUAD_STEP(1, &y1[i], l1, h1);
            QUAD_STEP(2, &y2[i], l2, h2);
            QUAD_STEP(3, &y3[i], l3, h3);
        }
        float m[8];
        _mm256_storeu_ps(m, offsets);
        pair_results(l0, h0, m[0], m[4], out[0] + r, out[0] + r + 1);
        pair_results(l1, h1, m[1], m[5], out[1] + r, out[1] + r + 1);
        pair_results(l2, h2, m[2], m[6], out[2] + r, out[2] + r + 1);
        pair_results(l3, h3, m[3], m[7], out[3] + r, out[3] + r + 1);
    }
    if (r < nrows)
        for (int t = 0; t < 4; t++) ck_dot_rows_q4_1_avx2(n, nrows - r, w + (size_t)r * rb, rb, act[t], out[t] + r);
}
#undef QUAD_STEP
