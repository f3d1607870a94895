#ifndef CKERNELS_H
#define CKERNELS_H
// Hot loops of the engine. Every SIMD kernel has a scalar twin; `ck_backend()` picks one
// at load time (AVX2+FMA+F16C when the CPU has them and MUSE_FORCE_SCALAR is not "1").
// Tensor types are ggml's numbers (see Kernels/TensorType.swift).
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Backend selection

typedef enum {
    CK_BACKEND_SCALAR = 0,
    CK_BACKEND_AVX2 = 1,
} ck_backend_t;

/// 1 when the CPU supports AVX2, FMA and F16C.
int ck_cpu_has_avx2(void);
/// The backend every dispatched call uses (scalar when forced or unsupported).
ck_backend_t ck_backend(void);
/// Status codes returned by the checked entry points.
enum {
    CK_OK = 0,
    CK_ERR_UNSUPPORTED_TYPE = 1,
    CK_ERR_BAD_SHAPE = 2,
    CK_ERR_SCRATCH_TOO_SMALL = 3,
    CK_ERR_BACKEND_UNAVAILABLE = 4,
};

// MARK: - Tensor types (ggml numbering)
enum {
    CK_TYPE_F32 = 0, CK_TYPE_F16 = 1, CK_TYPE_Q4_0 = 2, CK_TYPE_Q4_1 = 3, CK_TYPE_Q5_0 = 6, CK_TYPE_Q5_1 = 7,
    CK_TYPE_Q8_0 = 8, CK_TYPE_Q8_1 = 9, CK_TYPE_Q4_K = 12, CK_TYPE_Q5_K = 13,
    CK_TYPE_Q6_K = 14, CK_TYPE_Q8_K = 15, CK_TYPE_BF16 = 30,
};

/// 1 if `type` has dot/matmul kernels (as a weight type).
int ck_type_has_matmul(int type);
/// The activation type a weight type is multiplied with (ggml's vec_dot_type), or -1.
int ck_activation_type(int weight_type);
/// Elements per block and bytes per block for the types handled here; 0 when unknown.
int ck_block_size(int type);
size_t ck_block_bytes(int type);

// MARK: - Conversion, quantization, dequantization

float ck_f16_to_f32(uint16_t h);
uint16_t ck_f32_to_f16(float f);
float ck_bf16_to_f32(uint16_t h);
uint16_t ck_f32_to_bf16(float f);

/// y[count] = x decoded; count must be a multiple of the block size. Returns a CK_ status.
int ck_dequantize(int type, const void *x, float *y, int64_t count);
/// Encodes count floats as `type` (F32, F16, BF16, Q4_0, Q4_1, Q8_0, Q8_1, Q8_K, Q4_K, Q5_K, Q6_K).
int ck_quantize(int type, const float *x, void *y, int64_t count);
/// Same, forcing a backend (for parity tests).
int ck_quantize_backend(int type, const float *x, void *y, int64_t count, ck_backend_t backend);

// MARK: - Dot products

/// Dot product of one weight row (`weight_type`, n elements) with one activation row already
/// encoded in ck_activation_type(weight_type). Returns a CK_ status; result in *out.
int ck_vec_dot(int weight_type, int n, const void *w, const void *act, float *out, ck_backend_t backend);

// MARK: - Thread pool

typedef struct ck_pool ck_pool;
typedef void (*ck_task_fn)(void *ctx, int thread, int nthreads);

/// A pool running tasks on `nthreads` threads: the caller plus nthreads-1 persistent workers.
/// Idle workers spin for a short while, then sleep. NULL on failure.
ck_pool *ck_pool_create(int nthreads);
void ck_pool_destroy(ck_pool *pool);
int ck_pool_threads(const ck_pool *pool);
/// Runs fn(ctx, t, nthreads) for t in 0..<nthreads (t = 0 on the caller) and returns when all
/// are done. Calls from several threads are serialised. A NULL pool, or a call made from inside
/// a running job (nested), runs fn(ctx, 0, 1) on the calling thread.
void ck_pool_run(ck_pool *pool, ck_task_fn fn, void *ctx);
// Runs fn(ctx, chunk, nchunks) once for every chunk in 0..<nchunks, each claimed by whichever
// thread (the caller or a worker) is free first: a thread that the machine deschedules delays
// the run by at most the chunk it holds, not by its whole share. fn's results must not depend on
// which thread runs it; per-thread scratch is indexed by ck_pool_thread_index().
void ck_pool_run_chunks(ck_pool *pool, ck_task_fn fn, void *ctx, int nchunks);
/// Inside a job: the running thread's index in 0..<ck_pool_threads (the caller is 0), distinct
/// among the threads of one run. Outside any pool worker: 0.
int ck_pool_thread_index(void);

// MARK: - Matmul

/// Bytes of activation scratch ck_matmul needs for `tokens` rows of `cols` elements.
size_t ck_matmul_scratch_bytes(int weight_type, int tokens, int cols);

typedef struct {
    int weight_type;
    int rows, cols;          // W: [rows, cols]
    const void *weight;      // rows of blocks, row_bytes each
    size_t row_bytes;
    const float *input;      // [tokens, cols]
    int tokens;
    float *output;           // [tokens, rows]
    void *scratch;           // >= ck_matmul_scratch_bytes(...)
    size_t scratch_bytes;
    ck_backend_t backend;
} ck_matmul_args;

/// output = input * W^T, split over the pool's threads by rows. Returns a CK_ status.
int ck_matmul(ck_pool *pool, const ck_matmul_args *args);

/// Most matrices one ck_matmul_group call takes.
#define CK_MATMUL_GROUP_MAX 4
/// Several matrices of one weight type applied to the same input (attention's Q, K and V; the
/// gate and up projections): the input is quantized once and the rows of all of them share one
/// pool dispatch, so a decode step waits on the threads fewer times. args[i] may differ only in
/// rows, weight, row_bytes and output; each output equals its own ck_matmul bit for bit.
int ck_matmul_group(ck_pool *pool, const ck_matmul_args *args, int count);

/// How many of a batch's `tokens` (the first ones) ck_matmul sums in a batch order that differs
/// from the single-token order, as llama.cpp's CPU kernels do for K-quants (0: none).
int ck_batch_order_tokens(int weight_type, int tokens);

// MARK: - FP32 operations (dispatched; `_scalar` / `_avx2` twins exported for parity tests)

void ck_rms_norm(const float *x, const float *w, int n, float eps, float *y);
void ck_rms_norm_scalar(const float *x, const float *w, int n, float eps, float *y);
void ck_rms_norm_avx2(const float *x, const float *w, int n, float eps, float *y);

/// mode 0: adjacent pairs (llama), 2: halves (neox). x: [tokens, heads, head_dim] in place.
void ck_rope(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode);
void ck_rope_scalar(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode);
void ck_rope_avx2(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode);

void ck_silu_mul(const float *gate, const float *up, int n, float *y);
void ck_silu_mul_scalar(const float *gate, const float *up, int n, float *y);
void ck_silu_mul_avx2(const float *gate, const float *up, int n, float *y);

void ck_gelu_mul(const float *gate, const float *up, int n, float *y);
void ck_gelu_mul_scalar(const float *gate, const float *up, int n, float *y);
void ck_gelu_mul_avx2(const float *gate, const float *up, int n, float *y);

/// x = cap * tanh(x / cap) (Gemma's final logit soft-capping).
void ck_softcap(float *x, float cap, int n);

void ck_add(float *x, const float *y, int n);
void ck_add_scalar(float *x, const float *y, int n);
void ck_add_avx2(float *x, const float *y, int n);

void ck_scale(float *x, float s, int n);
void ck_scale_scalar(float *x, float s, int n);
void ck_scale_avx2(float *x, float s, int n);

/// In place softmax of one row: exp in float, sum accumulated in double.
void ck_softmax(float *x, int n);
void ck_softmax_scalar(float *x, int n);
void ck_softmax_avx2(float *x, int n);

void ck_store_f16(const float *x, uint16_t *y, int64_t n);
void ck_store_f16_scalar(const float *x, uint16_t *y, int64_t n);
void ck_store_f16_avx2(const float *x, uint16_t *y, int64_t n);

// MARK: - Attention

/// Per-thread scratch floats/halves attention needs for a given context and head size.
size_t ck_attention_scratch_bytes(int max_context, int head_dim, int threads);

typedef struct {
    const float *query;      // [tokens, heads * head_dim]
    const uint16_t *keys;    // f16 [>= first_position + tokens, kv_heads * head_dim]
    const uint16_t *values;  // f16, same layout as keys
    float *output;           // [tokens, heads * head_dim]
    int tokens, first_position, heads, kv_heads, head_dim;
    int window;              // > 0: query at position p sees keys p - window + 1 ... p only
    float scale;
    void *scratch;           // >= ck_attention_scratch_bytes(first_position + tokens, head_dim, threads)
    size_t scratch_bytes;
    ck_backend_t backend;
} ck_attention_args;

/// Causal grouped-query attention (optionally sliding-window), mirroring llama.cpp's non-flash
/// path. Returns a CK_ status.
int ck_attention(ck_pool *pool, const ck_attention_args *args);
/// `count` independent attentions (each with its own KV cache) in one pool run; list[0].scratch
/// must fit the longest context. Returns a CK_ status.
int ck_attention_batch(ck_pool *pool, const ck_attention_args *list, int count);

#ifdef __cplusplus
}
#endif
#endif
