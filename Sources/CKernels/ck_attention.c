// Causal grouped-query attention over an f16 KV cache, mirroring llama.cpp's non-flash path:
// q rounded to f16, q.k accumulated in f32, scores * scale, softmax (exp in f32, sum in
// double), probabilities rounded to f16, p.V accumulated in f32. Work unit: (token, head).
#include "ck_simd.h"
#include <math.h>

// Per-thread scratch is padded to a cache line so threads never share one.
#define CACHE_LINE 64

typedef struct {
    const ck_attention_args *a;
    size_t per_thread;
} attn_ctx;

static size_t per_thread_bytes(int max_context, int head_dim) {
    size_t b = (size_t)max_context * (sizeof(float) + sizeof(uint16_t)) + (size_t)head_dim * (sizeof(uint16_t) + sizeof(float));
    return (b + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
}

size_t ck_attention_scratch_bytes(int max_context, int head_dim, int threads) {
    if (max_context <= 0 || head_dim <= 0 || threads <= 0) return 0;
    return per_thread_bytes(max_context, head_dim) * (size_t)threads + CACHE_LINE;
}

typedef struct {
    float *scores;   // [n_kv]
    uint16_t *p16;   // [n_kv]
    uint16_t *q16;   // [head_dim]
    float *acc;      // [head_dim]
} attn_buffers;

static void finish_softmax(float *scores, uint16_t *p16, int n_kv, int avx) {
    float max = -INFINITY;
    for (int i = 0; i < n_kv; i++) max = scores[i] > max ? scores[i] : max;
    double sum = 0.0;
    for (int i = 0; i < n_kv; i++) {
        scores[i] = expf(scores[i] - max);
        sum += (double)scores[i];
    }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < n_kv; i++) scores[i] *= inv;
    if (avx) ck_store_f16_avx2(scores, p16, n_kv);
    else ck_store_f16_scalar(scores, p16, n_kv);
}

static void head_scalar(const ck_attention_args *a, int t, int h, attn_buffers b) {
    int hd = a->head_dim, n_kv = a->first_position + t + 1;
    int kvh = h / (a->heads / a->kv_heads);
    size_t kv_stride = (size_t)a->kv_heads * hd;
    const float *q = a->query + ((size_t)t * a->heads + h) * hd;
    ck_store_f16_scalar(q, b.q16, hd);
    for (int pos = 0; pos < n_kv; pos++) {
        const uint16_t *k = a->keys + pos * kv_stride + (size_t)kvh * hd;
        float s = 0.0f;
        for (int d = 0; d < hd; d++) s += ck_f16_to_f32(b.q16[d]) * ck_f16_to_f32(k[d]);
        b.scores[pos] = s * a->scale;
    }
    finish_softmax(b.scores, b.p16, n_kv, 0);
    for (int d = 0; d < hd; d++) b.acc[d] = 0.0f;
    for (int pos = 0; pos < n_kv; pos++) {
        const uint16_t *v = a->values + pos * kv_stride + (size_t)kvh * hd;
        float p = ck_f16_to_f32(b.p16[pos]);
        for (int d = 0; d < hd; d++) b.acc[d] += p * ck_f16_to_f32(v[d]);
    }
    memcpy(a->output + ((size_t)t * a->heads + h) * hd, b.acc, (size_t)hd * sizeof(float));
}

CK_AVX2 static void head_avx2(const ck_attention_args *a, int t, int h, attn_buffers b) {
    int hd = a->head_dim, n_kv = a->first_position + t + 1;
    int kvh = h / (a->heads / a->kv_heads);
    size_t kv_stride = (size_t)a->kv_heads * hd;
    const float *q = a->query + ((size_t)t * a->heads + h) * hd;
    ck_store_f16_avx2(q, b.q16, hd);
    int vec = hd / 8 * 8;
    for (int pos = 0; pos < n_kv; pos++) {
        const uint16_t *k = a->keys + pos * kv_stride + (size_t)kvh * hd;
        __m256 acc = _mm256_setzero_ps();
        for (int d = 0; d < vec; d += 8) {
            __m256 vq = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b.q16 + d)));
            __m256 vk = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(k + d)));
            acc = _mm256_fmadd_ps(vq, vk, acc);
        }
        float s = ck_hsum_ps(acc);
        for (int d = vec; d < hd; d++) s += _cvtsh_ss(b.q16[d]) * _cvtsh_ss(k[d]);
        b.scores[pos] = s * a->scale;
    }
    finish_softmax(b.scores, b.p16, n_kv, 1);
    for (int d = 0; d < hd; d++) b.acc[d] = 0.0f;
    for (int pos = 0; pos < n_kv; pos++) {
        const uint16_t *v = a->values + pos * kv_stride + (size_t)kvh * hd;
        float p = _cvtsh_ss(b.p16[pos]);
        __m256 vp = _mm256_set1_ps(p);
        for (int d = 0; d < vec; d += 8) {
            __m256 vv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + d)));
            _mm256_storeu_ps(b.acc + d, _mm256_fmadd_ps(vp, vv, _mm256_loadu_ps(b.acc + d)));
        }
        for (int d = vec; d < hd; d++) b.acc[d] += p * _cvtsh_ss(v[d]);
    }
    memcpy(a->output + ((size_t)t * a->heads + h) * hd, b.acc, (size_t)hd * sizeof(float));
}

static void attn_task(void *raw, int thread, int nthreads) {
    const attn_ctx *c = raw;
    const ck_attention_args *a = c->a;
    uintptr_t base = ((uintptr_t)a->scratch + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    uint8_t *mine = (uint8_t *)base + c->per_thread * (size_t)thread;
    int n_ctx = a->first_position + a->tokens;
    attn_buffers b;
    b.scores = (float *)mine;
    b.acc = (float *)(mine + (size_t)n_ctx * sizeof(float));
    b.p16 = (uint16_t *)(mine + (size_t)(n_ctx + a->head_dim) * sizeof(float));
    b.q16 = b.p16 + n_ctx;
    int pairs = a->tokens * a->heads;
    int lo = (int)((int64_t)pairs * thread / nthreads), hi = (int)((int64_t)pairs * (thread + 1) / nthreads);
    int avx = a->backend == CK_BACKEND_AVX2;
    for (int i = lo; i < hi; i++) {
        if (avx) head_avx2(a, i / a->heads, i % a->heads, b);
        else head_scalar(a, i / a->heads, i % a->heads, b);
    }
}

int ck_attention(ck_pool *pool, const ck_attention_args *a) {
    if (a->tokens <= 0 || a->first_position < 0 || a->heads <= 0 || a->kv_heads <= 0 || a->head_dim <= 0 ||
        a->heads % a->kv_heads != 0)
        return CK_ERR_BAD_SHAPE;
    if (a->backend == CK_BACKEND_AVX2 && !ck_cpu_has_avx2()) return CK_ERR_BACKEND_UNAVAILABLE;
    int threads = ck_pool_threads(pool);
    int n_ctx = a->first_position + a->tokens;
    if (a->scratch == NULL || a->scratch_bytes < ck_attention_scratch_bytes(n_ctx, a->head_dim, threads))
        return CK_ERR_SCRATCH_TOO_SMALL;
    attn_ctx c = {a, per_thread_bytes(n_ctx, a->head_dim)};
    if (a->tokens * a->heads == 1) attn_task(&c, 0, 1);
    else ck_pool_run(pool, attn_task, &c);
    return CK_OK;
}
