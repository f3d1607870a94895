// Causal grouped-query attention over an f16 KV cache, with llama.cpp's CPU arithmetic (its
// non-flash path), so that our logits match its reference outputs bit for bit:
// - q and the softmax probabilities are rounded to f16 before their dot products;
// - scores * scale, softmax with exp computed 8 lanes at a time (ck_expf8) and the sum of each
//   8-lane group added to a double, probabilities scaled by float(1 / sum);
// - the dot products sum in llama.cpp's order, which depends on the batch: a batch of several
//   tokens goes through its tiled matrix multiply (one 8-lane accumulator per output), a single
//   token through its vector dot product (four 8-lane accumulators over 32-element steps).
// Lane l of an accumulator holds the terms whose index is l modulo 8 (modulo 32 for four), so
// p.V is computed position by position into per-lane rows, vectorised over the head dimension.
// Work unit: (token, head). The scalar twin performs the same roundings in the same order.
#include "ck_simd.h"
#include <math.h>

#define CACHE_LINE 64
// Accumulator rows for p.V: 8 lanes x 4 accumulators in the single-token order.
#define LANE_ROWS 32
// Chunks of (token, head) units per thread: a decode step of 8 sequences has 72 units, so about
// 4 units per chunk on 2 threads; enough to even out sequences of different lengths.
#define ATTENTION_CHUNKS_PER_THREAD 8

static size_t per_thread_bytes(int max_context, int head_dim) {
    size_t padded = (size_t)max_context + 8;  // scores padded to whole 8-lane groups
    size_t b = padded * (sizeof(float) + sizeof(uint16_t)) + (size_t)head_dim * (sizeof(uint16_t) + sizeof(float)) +
               (size_t)LANE_ROWS * head_dim * sizeof(float) + 32;  // + qf's alignment
    return (b + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
}

size_t ck_attention_scratch_bytes(int max_context, int head_dim, int threads) {
    if (max_context <= 0 || head_dim <= 0 || threads <= 0) return 0;
    return per_thread_bytes(max_context, head_dim) * (size_t)threads + CACHE_LINE;
}

typedef struct {
    float *scores;   // [n_kv + 8]
    uint16_t *p16;   // [n_kv + 8]
    uint16_t *q16;   // [head_dim]
    float *qf;       // [head_dim]: q16 widened once per head, not once per position
    float *lanes;    // [LANE_ROWS, head_dim]
} attn_buffers;

// Four 8-lane accumulators folded as llama.cpp's vector dot product does: (a0+a2)+(a1+a3)
// lane-wise, then halves added and two horizontal adds: ((r0+r4)+(r1+r5)) + ((r2+r6)+(r3+r7)).
static float fold32(const float *acc) {  // acc[j * 8 + l]
    float r[8];
    for (int l = 0; l < 8; l++) r[l] = (acc[l] + acc[16 + l]) + (acc[8 + l] + acc[24 + l]);
    return ((r[0] + r[4]) + (r[1] + r[5])) + ((r[2] + r[6]) + (r[3] + r[7]));
}

// Scalar twin of ck_expf8: the same operations with fmaf.
static float expf1(float x) {
    if (fabsf(x) > 87.0f) return expf(x);
    const float shift = 0x1.8p23f;
    float z = fmaf(x, 0x1.715476p+0f, shift);
    float n = z - shift;
    float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    uint32_t zb, one;
    float f1 = 1.0f;
    memcpy(&zb, &z, 4);
    memcpy(&one, &f1, 4);
    uint32_t kb = (zb << 23) + one;
    float k;
    memcpy(&k, &kb, 4);
    float u = b * b;
    float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u,
                   0x1.ffffecp-1f * b);
    return fmaf(j, k, k);
}

// q.k for one position; `single` selects the single-token summation order.
static float qk_scalar(const uint16_t *k, const uint16_t *q, int hd, int single) {
    float acc[32] = {0};
    int step = single ? 32 : 8;
    int i = 0;
    for (; i + step <= hd; i += step)
        for (int e = 0; e < step; e++) acc[e] = fmaf(ck_f16_to_f32(k[i + e]), ck_f16_to_f32(q[i + e]), acc[e]);
    double sum = single ? fold32(acc) : ck_fold8(acc);
    for (; i < hd; i++) sum += (double)(ck_f16_to_f32(k[i]) * ck_f16_to_f32(q[i]));
    return (float)sum;
}

// fold32 and ck_fold8 done in registers, in the same order.
CK_AVX2 static inline float fold32_avx2(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    __m256 r = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(r), _mm256_extractf128_ps(r, 1)); // r0+r4, r1+r5, r2+r6, r3+r7
    __m128 h = _mm_hadd_ps(s, s);                                                    // (r0+r4)+(r1+r5), (r2+r6)+(r3+r7)
    return _mm_cvtss_f32(_mm_add_ss(h, _mm_movehdup_ps(h)));
}

CK_AVX2 static float qk_avx2(const uint16_t *k, const float *q, int hd, int single) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int step = single ? 32 : 8;
    int i = 0;
    for (; i + step <= hd; i += step)
        for (int j = 0; j < step / 8; j++)
            acc[j] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i + 8 * j))),
                                     _mm256_loadu_ps(q + i + 8 * j), acc[j]);
    double sum = single ? fold32_avx2(acc[0], acc[1], acc[2], acc[3]) : ck_hsum_ps(acc[0]); // ck_hsum_ps is ck_fold8's order
    for (; i < hd; i++) sum += (double)(_cvtsh_ss(k[i]) * q[i]);
    return (float)sum;
}

// Four positions' q.k at once in the batch order (independent accumulators hide FMA latency);
// each result is bit-identical to qk_avx2(..., single = 0). Needs head_dim % 8 == 0.
CK_AVX2 static void qk4_avx2(const uint16_t *k, size_t stride, const float *q, int hd, float scale, float *out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (int i = 0; i < hd; i += 8) {
        __m256 vq = _mm256_loadu_ps(q + i);
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + i))), vq, a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + stride + i))), vq, a1);
        a2 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + 2 * stride + i))), vq, a2);
        a3 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + 3 * stride + i))), vq, a3);
    }
    out[0] = ck_hsum_ps(a0) * scale;
    out[1] = ck_hsum_ps(a1) * scale;
    out[2] = ck_hsum_ps(a2) * scale;
    out[3] = ck_hsum_ps(a3) * scale;
}

// Eight positions' q.k at once in the single-token order, each bit-identical to
// qk_avx2(..., single = 1) * scale. Needs head_dim % 32 == 0. Each position's four accumulators
// are added pairwise into one 8-lane vector r as fold32_avx2 does; the rest of the fold (halves,
// then two horizontal adds) runs for the eight positions together: with T = (s_p | s_p+4), the
// halves' sums of positions p and p + 4, hadd(hadd(T04, T15), hadd(T26, T37)) performs each
// position's ((r0+r4)+(r1+r5)) + ((r2+r6)+(r3+r7)) and leaves position j in lane j.
CK_AVX2 static void qk8_single_avx2(const uint16_t *k, size_t stride, const float *q, int hd, float scale, float *out) {
    __m256 r[8];
    for (int p = 0; p < 8; p++) {
        const uint16_t *kp = k + (size_t)p * stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < hd; i += 32) {
#define KQ(j) _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kp + i + 8 * (j)))), _mm256_loadu_ps(q + i + 8 * (j)))
#define KQ_FMA(j, acc) _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kp + i + 8 * (j)))), \
                                       _mm256_loadu_ps(q + i + 8 * (j)), acc)
            if (i == 0) {  // fma into zero is the rounded product
                a0 = KQ(0), a1 = KQ(1), a2 = KQ(2), a3 = KQ(3);
            } else {
                a0 = KQ_FMA(0, a0), a1 = KQ_FMA(1, a1), a2 = KQ_FMA(2, a2), a3 = KQ_FMA(3, a3);
            }
#undef KQ
#undef KQ_FMA
        }
        r[p] = _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3));
    }
#define HALVES(p) _mm256_add_ps(_mm256_permute2f128_ps(r[p], r[(p) + 4], 0x20), _mm256_permute2f128_ps(r[p], r[(p) + 4], 0x31))
    __m256 w = _mm256_hadd_ps(_mm256_hadd_ps(HALVES(0), HALVES(1)), _mm256_hadd_ps(HALVES(2), HALVES(3)));
#undef HALVES
    _mm256_storeu_ps(out, _mm256_mul_ps(w, _mm256_set1_ps(scale)));
}

// The largest of s[lo..<n]; the scores are padded with -inf to whole 8-lane groups (as
// llama.cpp's masked cache is) and the padded length is returned through `padded`. Positions
// below `lo` (outside a sliding window) are masked to -inf as well.
static float pad_and_max(float *s, int lo, int n, int *padded) {
    float max = -INFINITY;
    for (int i = lo; i < n; i++) max = s[i] > max ? s[i] : max;
    *padded = (n + 7) / 8 * 8;
    for (int i = lo / 8 * 8; i < lo; i++) s[i] = -INFINITY;
    for (int i = n; i < *padded; i++) s[i] = -INFINITY;
    return max;
}

// exp(s - max) over whole 8-lane groups, each group's sum added to a double; then
// probabilities = p * float(1 / sum) -> f16. Groups wholly below `lo` would add exact zeros
// and are skipped.
static void softmax_scalar(float *s, uint16_t *p16, int lo, int n) {
    int padded;
    float max = pad_and_max(s, lo, n, &padded);
    double sum = 0.0;
    for (int i = lo / 8 * 8; i < padded; i += 8) {
        for (int l = 0; l < 8; l++) s[i + l] = expf1(s[i + l] - max);
        sum += (double)ck_fold8(s + i);
    }
    float inv = (float)(1.0 / sum);
    for (int i = lo; i < n; i++) p16[i] = ck_f32_to_f16(s[i] * inv);
}

CK_AVX2 static void softmax_avx2(float *s, uint16_t *p16, int lo, int n) {
    int padded;
    float max = pad_and_max(s, lo, n, &padded);
    double sum = 0.0;
    for (int i = lo / 8 * 8; i < padded; i += 8) {
        __m256 v = ck_expf8(_mm256_sub_ps(_mm256_loadu_ps(s + i), _mm256_set1_ps(max)));
        _mm256_storeu_ps(s + i, v);
        sum += (double)ck_hsum_ps(v);
    }
    float inv = (float)(1.0 / sum);
    for (int i = lo; i < n; i++) s[i] *= inv;
    ck_store_f16_avx2(s + lo, p16 + lo, n - lo);
}

// lanes[row(pos)] += p[pos] * v[pos] for positions lo..<n, row = pos mod 8 (or mod 32): a
// position keeps its lane whatever the window, as in llama.cpp's masked cache.
static void pv_scalar(const uint16_t *v, size_t stride, const uint16_t *p16, int lo, int n, int hd, int single,
                      float *lanes) {
    int rows = single ? 32 : 8;
    memset(lanes, 0, (size_t)rows * hd * sizeof(float));
    for (int pos = lo; pos < n; pos++) {
        float p = ck_f16_to_f32(p16[pos]);
        const uint16_t *row = v + pos * stride;
        float *acc = lanes + (size_t)(pos % rows) * hd;
        for (int d = 0; d < hd; d++) acc[d] = fmaf(ck_f16_to_f32(row[d]), p, acc[d]);
    }
}

// Lane row by lane row, 32 columns at a time, the row's accumulators held in registers across
// its positions (pos = r, r + rows, ...): each sum still runs over the positions in increasing
// order from zero, as pv_scalar's do.
CK_AVX2 static void pv_avx2(const uint16_t *v, size_t stride, const uint16_t *p16, int lo, int n, int hd, int single,
                            float *lanes) {
    int rows = single ? 32 : 8;
    int vec = hd / 8 * 8;
    for (int r = 0; r < rows; r++) {
        float *acc = lanes + (size_t)r * hd;
        int first = lo + ((r - lo % rows) + rows) % rows;  // first position >= lo in lane row r
        int d0 = 0;
        // 64 columns per pass while they last: a lane row holds few positions in a short context
        // (one to three at 100 of 32 lane rows), so each pass's setup and stores cost as much as
        // its products; eight accumulators, the broadcast and a load fit the 16 registers.
        for (; d0 + 64 <= vec; d0 += 64) {
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int pos = first; pos < n; pos += rows) {
                __m256 vp = _mm256_set1_ps(_cvtsh_ss(p16[pos]));
                const uint16_t *row = v + pos * stride + d0;
#define V8(j) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 8 * (j))))
                a0 = _mm256_fmadd_ps(V8(0), vp, a0);
                a1 = _mm256_fmadd_ps(V8(1), vp, a1);
                a2 = _mm256_fmadd_ps(V8(2), vp, a2);
                a3 = _mm256_fmadd_ps(V8(3), vp, a3);
                a4 = _mm256_fmadd_ps(V8(4), vp, a4);
                a5 = _mm256_fmadd_ps(V8(5), vp, a5);
                a6 = _mm256_fmadd_ps(V8(6), vp, a6);
                a7 = _mm256_fmadd_ps(V8(7), vp, a7);
#undef V8
            }
            _mm256_storeu_ps(acc + d0, a0);
            _mm256_storeu_ps(acc + d0 + 8, a1);
            _mm256_storeu_ps(acc + d0 + 16, a2);
            _mm256_storeu_ps(acc + d0 + 24, a3);
            _mm256_storeu_ps(acc + d0 + 32, a4);
            _mm256_storeu_ps(acc + d0 + 40, a5);
            _mm256_storeu_ps(acc + d0 + 48, a6);
            _mm256_storeu_ps(acc + d0 + 56, a7);
        }
        for (; d0 < vec; d0 += 32) {
            int width = vec - d0 < 32 ? (vec - d0) / 8 : 4;  // 8-column groups in this pass
            __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            for (int pos = first; pos < n; pos += rows) {
                __m256 vp = _mm256_set1_ps(_cvtsh_ss(p16[pos]));
                const uint16_t *row = v + pos * stride + d0;
                for (int j = 0; j < width; j++)
                    a[j] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 8 * j))), vp, a[j]);
            }
            for (int j = 0; j < width; j++) _mm256_storeu_ps(acc + d0 + 8 * j, a[j]);
        }
        for (int d = vec; d < hd; d++) {
            float t = 0.0f;
            for (int pos = first; pos < n; pos += rows) t = fmaf(_cvtsh_ss(v[pos * stride + d]), _cvtsh_ss(p16[pos]), t);
            acc[d] = t;
        }
    }
}

// out[d] = fold of the lane rows' column d (fold32 or ck_fold8), 8 columns at a time.
CK_AVX2 static void fold_lanes_avx2(const float *lanes, int hd, int single, float *out) {
    int vec = hd / 8 * 8;
    for (int d = 0; d < vec; d += 8) {
#define L(r) _mm256_loadu_ps(lanes + (size_t)(r) * hd + d)
        __m256 x;
        if (single) {
            __m256 r_[8];
            for (int l = 0; l < 8; l++) r_[l] = _mm256_add_ps(_mm256_add_ps(L(l), L(16 + l)), _mm256_add_ps(L(8 + l), L(24 + l)));
            x = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(r_[0], r_[4]), _mm256_add_ps(r_[1], r_[5])),
                              _mm256_add_ps(_mm256_add_ps(r_[2], r_[6]), _mm256_add_ps(r_[3], r_[7])));
        } else {
            x = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(L(0), L(4)), _mm256_add_ps(L(2), L(6))),
                              _mm256_add_ps(_mm256_add_ps(L(1), L(5)), _mm256_add_ps(L(3), L(7))));
        }
#undef L
        _mm256_storeu_ps(out + d, x);
    }
    float lane[32];
    int rows = single ? 32 : 8;
    for (int d = vec; d < hd; d++) {
        for (int r = 0; r < rows; r++) lane[r] = lanes[(size_t)r * hd + d];
        out[d] = single ? fold32(lane) : ck_fold8(lane);
    }
}

CK_AVX2 static void head_avx2(const ck_attention_args *a, const float *q, int kvh, int lo, int n_kv, attn_buffers b,
                              float *out);

static void head(const ck_attention_args *a, int t, int h, attn_buffers b, int avx) {
    int hd = a->head_dim, n_kv = a->first_position + t + 1;
    int lo = a->window > 0 && n_kv > a->window ? n_kv - a->window : 0;  // first visible position
    int single = a->tokens == 1;
    int kvh = h / (a->heads / a->kv_heads);
    size_t kv_stride = (size_t)a->kv_heads * hd;
    const float *q = a->query + ((size_t)t * a->heads + h) * hd;
    float *out = a->output + ((size_t)t * a->heads + h) * hd;
    const uint16_t *v = a->values + (size_t)kvh * hd;
    if (!avx) {
        ck_store_f16_scalar(q, b.q16, hd);
        for (int pos = lo; pos < n_kv; pos++)
            b.scores[pos] = qk_scalar(a->keys + pos * kv_stride + (size_t)kvh * hd, b.q16, hd, single) * a->scale;
        softmax_scalar(b.scores, b.p16, lo, n_kv);
        pv_scalar(v, kv_stride, b.p16, lo, n_kv, hd, single, b.lanes);
        float lane[32];
        int rows = single ? 32 : 8;
        for (int d = 0; d < hd; d++) {
            for (int r = 0; r < rows; r++) lane[r] = b.lanes[(size_t)r * hd + d];
            out[d] = single ? fold32(lane) : ck_fold8(lane);
        }
        return;
    }
    head_avx2(a, q, kvh, lo, n_kv, b, out);
}

CK_AVX2 static void head_avx2(const ck_attention_args *a, const float *q, int kvh, int lo, int n_kv, attn_buffers b,
                              float *out) {
    int hd = a->head_dim, single = a->tokens == 1;
    size_t kv_stride = (size_t)a->kv_heads * hd;
    const uint16_t *v = a->values + (size_t)kvh * hd;
    ck_store_f16_avx2(q, b.q16, hd);
    for (int d = 0; d < hd; d++) b.qf[d] = _cvtsh_ss(b.q16[d]);
    int pos = lo;
    if (single && hd % 32 == 0)
        for (; pos + 8 <= n_kv; pos += 8)
            qk8_single_avx2(a->keys + pos * kv_stride + (size_t)kvh * hd, kv_stride, b.qf, hd, a->scale, b.scores + pos);
    if (!single && hd % 8 == 0)
        for (; pos + 4 <= n_kv; pos += 4)
            qk4_avx2(a->keys + pos * kv_stride + (size_t)kvh * hd, kv_stride, b.qf, hd, a->scale, b.scores + pos);
    for (; pos < n_kv; pos++)
        b.scores[pos] = qk_avx2(a->keys + pos * kv_stride + (size_t)kvh * hd, b.qf, hd, single) * a->scale;
    softmax_avx2(b.scores, b.p16, lo, n_kv);
    pv_avx2(v, kv_stride, b.p16, lo, n_kv, hd, single, b.lanes);
    fold_lanes_avx2(b.lanes, hd, single, out);
}

// Several sequences' attention in one pool run (continuous batching): the (segment, token, head)
// units of all of them are cut into chunks that the threads claim as they come free, so a decode
// step of many one-token sequences costs one dispatch, not one per sequence, and neither a long
// sequence nor a descheduled thread holds the others up. Scratch: list[0]'s, sized for the
// longest, one part per thread (ck_pool_thread_index).
typedef struct {
    const ck_attention_args *list;
    int count, total, max_context;
    size_t per_thread;
} attn_batch_ctx;

static void attn_batch_task(void *raw, int chunk, int nchunks) {
    const attn_batch_ctx *c = raw;
    const ck_attention_args *first = &c->list[0];
    uintptr_t base = ((uintptr_t)first->scratch + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    uint8_t *mine = (uint8_t *)base + c->per_thread * (size_t)ck_pool_thread_index();
    size_t padded = (size_t)c->max_context + 8;
    attn_buffers b;
    b.lanes = (float *)mine;
    b.scores = b.lanes + (size_t)LANE_ROWS * first->head_dim;
    b.p16 = (uint16_t *)(b.scores + padded);
    b.q16 = b.p16 + padded;
    b.qf = (float *)(((uintptr_t)(b.q16 + first->head_dim) + 31) / 32 * 32);
    int lo = (int)((int64_t)c->total * chunk / nchunks), hi = (int)((int64_t)c->total * (chunk + 1) / nchunks);
    int segment = 0, offset = 0;  // units before `segment`
    for (int i = lo; i < hi; i++) {
        while (i - offset >= c->list[segment].tokens * c->list[segment].heads) {
            offset += c->list[segment].tokens * c->list[segment].heads;
            segment++;
        }
        const ck_attention_args *a = &c->list[segment];
        int unit = i - offset;
        head(a, unit / a->heads, unit % a->heads, b, a->backend == CK_BACKEND_AVX2);
    }
}

int ck_attention_batch(ck_pool *pool, const ck_attention_args *list, int count) {
    if (count <= 0) return CK_ERR_BAD_SHAPE;
    int total = 0, max_context = 0;
    for (int i = 0; i < count; i++) {
        const ck_attention_args *a = &list[i];
        if (a->tokens <= 0 || a->first_position < 0 || a->window < 0 || a->heads <= 0 || a->kv_heads <= 0 ||
            a->head_dim <= 0 || a->head_dim != list[0].head_dim || a->heads % a->kv_heads != 0 || a->backend != list[0].backend)
            return CK_ERR_BAD_SHAPE;
        if (a->backend == CK_BACKEND_AVX2 && !ck_cpu_has_avx2()) return CK_ERR_BACKEND_UNAVAILABLE;
        total += a->tokens * a->heads;
        int context = a->first_position + a->tokens;
        max_context = context > max_context ? context : max_context;
    }
    int threads = ck_pool_threads(pool);
    if (list[0].scratch == NULL || list[0].scratch_bytes < ck_attention_scratch_bytes(max_context, list[0].head_dim, threads))
        return CK_ERR_SCRATCH_TOO_SMALL;
    attn_batch_ctx c = {list, count, total, max_context, per_thread_bytes(max_context, list[0].head_dim)};
    int chunks = total < threads * ATTENTION_CHUNKS_PER_THREAD ? total : threads * ATTENTION_CHUNKS_PER_THREAD;
    ck_pool_run_chunks(pool, attn_batch_task, &c, chunks);
    return CK_OK;
}

int ck_attention(ck_pool *pool, const ck_attention_args *a) { return ck_attention_batch(pool, a, 1); }
