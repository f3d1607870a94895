// y[tokens, rows] = x[tokens, cols] * W^T. The input is quantized once per call into scratch
// (the activation type of the weight type, as ggml does); rows are split into contiguous
// per-thread chunks; with several tokens, a tile of weight rows is reused for every token
// while it sits in L1.
#include "ck_internal.h"

// Rows per tile when tokens > 1: 16 Q4_1 rows of 1536 columns are 15 KiB, half of a 32 KiB L1d.
#define ROW_TILE 16
// Thread chunks are whole multiples of this (the AVX2 kernels' row group).
#define ROW_ALIGN 4
// Row chunks per thread: enough that a thread the machine deschedules (the server's other
// threads share the cores) leaves little for the others to wait on, few enough that claiming
// them costs nothing next to the rows.
#define CHUNKS_PER_THREAD 4
// Fewer tokens than threads * this: the caller quantizes alone (a pool run costs more).
#define PARALLEL_QUANT_TOKENS_PER_THREAD 2

typedef struct {
    const ck_matmul_args *a;
    ck_rows_dot_fn dot;
    ck_rows_dot2_fn dot2;   // two tokens at once, or NULL
    ck_rows_dot4_fn dot4;   // four tokens at once (with group_act), or NULL
    ck_rows_dot_fn batch;   // tokens < batched use this order (llama.cpp's batch kernels)
    int batched;
    ck_quant_fn quant;
    const uint8_t *act;     // [tokens, act_row_bytes]
    size_t act_row_bytes;
    const ck_weight_kernels *pairs; // row-pair kernels in use, or NULL
    uint8_t *pair_act;      // [tokens, pair_row_bytes]: act re-laid for them
    size_t pair_row_bytes;
    ck_group_fn group;      // NULL: no four-token kernels
    uint8_t *group_act;     // [tokens / 4, group_row_bytes]: scales of each whole group of four
    size_t group_row_bytes;
} mm_ctx;

static size_t act_row_bytes(int act_type, int cols) {
    return (size_t)(cols / ck_block_size(act_type)) * ck_block_bytes(act_type);
}

static size_t pair_row_bytes(const ck_weight_kernels *k, int cols) {
    return k->pairs_dot_avx2 == NULL ? 0 : (size_t)(cols / QK) * k->pairs_block_bytes;
}

static size_t group_row_bytes(const ck_weight_kernels *k, int cols) {
    return k->group_avx2 == NULL ? 0 : (size_t)(cols / QK) * k->group_block_bytes;
}

size_t ck_matmul_scratch_bytes(int weight_type, int tokens, int cols) {
    int at = ck_activation_type(weight_type);
    const ck_weight_kernels *k = ck_kernels_for(weight_type);
    if (at < 0 || at == CK_TYPE_F32 || k == NULL || tokens <= 0 || cols <= 0) return 0;
    return (size_t)tokens * (act_row_bytes(at, cols) + pair_row_bytes(k, cols)) +
           (size_t)(tokens / 4) * group_row_bytes(k, cols);
}

static void split(int count, int unit, int t, int nt, int *lo, int *hi) {
    int units = (count + unit - 1) / unit;
    int u0 = (int)((int64_t)units * t / nt), u1 = (int)((int64_t)units * (t + 1) / nt);
    *lo = u0 * unit < count ? u0 * unit : count;
    *hi = u1 * unit < count ? u1 * unit : count;
}

// Token range of chunk `t` of `nt`.
static void quant_task(void *raw, int t, int nt) {
    const mm_ctx *c = raw;
    int lo, hi;
    split(c->a->tokens, 1, t, nt, &lo, &hi);
    for (int tok = lo; tok < hi; tok++) {
        const uint8_t *act = c->act + (size_t)tok * c->act_row_bytes;
        c->quant(c->a->input + (size_t)tok * c->a->cols, (void *)act, c->a->cols);
        if (c->pairs != NULL)
            c->pairs->pairs_expand_avx2(c->a->cols, act, c->pair_act + (size_t)tok * c->pair_row_bytes);
        if (c->group != NULL && tok < c->a->tokens - c->a->tokens % 4)
            c->group(c->a->cols, act, c->group_act + (size_t)(tok / 4) * c->group_row_bytes, tok % 4);
    }
}

// The row-pair kernels' version of dot_task's loops (same tiles, same token order).
static void pairs_rows(const mm_ctx *c, int r0, int r1) {
    const ck_matmul_args *a = c->a;
    const ck_weight_kernels *k = c->pairs;
#define ACT(t) (c->act + (size_t)(t) * c->act_row_bytes)
#define PAIRS(t) (c->pair_act + (size_t)(t) * c->pair_row_bytes)
    int tile_rows = a->tokens == 1 ? r1 - r0 : ROW_TILE; // one token: no tile is reused
    for (int rb = r0; rb < r1; rb += tile_rows) {
        int nr = r1 - rb < tile_rows ? r1 - rb : tile_rows;
        const uint8_t *tile = a->weight + (size_t)rb * a->row_bytes;
        int tok = 0;
        for (; c->group != NULL && tok + 4 <= a->tokens; tok += 4) {
            const void *act[4] = {ACT(tok), ACT(tok + 1), ACT(tok + 2), ACT(tok + 3)};
            const void *pairs[4] = {PAIRS(tok), PAIRS(tok + 1), PAIRS(tok + 2), PAIRS(tok + 3)};
            float *out[4];
            for (int t = 0; t < 4; t++) out[t] = a->output + (size_t)(tok + t) * a->rows + rb;
            k->pairs_dot4_avx2(a->cols, nr, tile, a->row_bytes, act, pairs, c->group_act + (size_t)(tok / 4) * c->group_row_bytes, out);
        }
        for (; tok + 2 <= a->tokens; tok += 2)
            k->pairs_dot2_avx2(a->cols, nr, tile, a->row_bytes, ACT(tok), PAIRS(tok), ACT(tok + 1), PAIRS(tok + 1),
                               a->output + (size_t)tok * a->rows + rb, a->output + (size_t)(tok + 1) * a->rows + rb);
        if (tok < a->tokens)
            k->pairs_dot_avx2(a->cols, nr, tile, a->row_bytes, ACT(tok), PAIRS(tok), a->output + (size_t)tok * a->rows + rb);
    }
#undef ACT
#undef PAIRS
}

// Rows of chunk `t` of `nt` (claimed dynamically, see ck_pool_run_chunks); every row is computed
// the same way whichever thread takes it, so results do not depend on the split.
static void dot_task(void *raw, int t, int nt) {
    const mm_ctx *c = raw;
    const ck_matmul_args *a = c->a;
    const uint8_t *w = a->weight;
    int r0, r1;
    split(a->rows, ROW_ALIGN, t, nt, &r0, &r1);
    if (c->pairs != NULL) {
        pairs_rows(c, r0, r1);
        return;
    }
    if (a->tokens == 1) {
        if (r1 > r0) c->dot(a->cols, r1 - r0, w + (size_t)r0 * a->row_bytes, a->row_bytes, c->act, a->output + r0);
        return;
    }
    for (int rb = r0; rb < r1; rb += ROW_TILE) {
        int nr = r1 - rb < ROW_TILE ? r1 - rb : ROW_TILE;
        const uint8_t *tile = w + (size_t)rb * a->row_bytes;
        int tok = 0;
        for (; tok < c->batched; tok++)
            c->batch(a->cols, nr, tile, a->row_bytes, c->act + (size_t)tok * c->act_row_bytes,
                     a->output + (size_t)tok * a->rows + rb);
        if (c->dot4 != NULL && c->group != NULL) {
            for (; tok + 4 <= a->tokens; tok += 4) {
                const void *act[4];
                float *out[4];
                for (int t = 0; t < 4; t++) {
                    act[t] = c->act + (size_t)(tok + t) * c->act_row_bytes;
                    out[t] = a->output + (size_t)(tok + t) * a->rows + rb;
                }
                c->dot4(a->cols, nr, tile, a->row_bytes, act, c->group_act + (size_t)(tok / 4) * c->group_row_bytes, out);
            }
        }
        if (c->dot2 != NULL) {
            for (; tok + 2 <= a->tokens; tok += 2)
                c->dot2(a->cols, nr, tile, a->row_bytes, c->act + (size_t)tok * c->act_row_bytes,
                        c->act + (size_t)(tok + 1) * c->act_row_bytes, a->output + (size_t)tok * a->rows + rb,
                        a->output + (size_t)(tok + 1) * a->rows + rb);
        }
        for (; tok < a->tokens; tok++)
            c->dot(a->cols, nr, tile, a->row_bytes, c->act + (size_t)tok * c->act_row_bytes,
                   a->output + (size_t)tok * a->rows + rb);
    }
}

int ck_batch_order_tokens(int weight_type, int tokens) {
    const ck_weight_kernels *k = ck_kernels_for(weight_type);
    if (k == NULL || tokens <= 1) return 0;
    switch (k->batch_rule) {
    case CK_BATCH_GROUPS_OF_4: return tokens - tokens % 4;
    case CK_BATCH_FROM_8: return tokens >= 8 ? tokens : 0;
    default: return 0;
    }
}

static int check_args(const ck_matmul_args *a, const ck_weight_kernels *k) {
    int bs = ck_block_size(a->weight_type), abs_ = ck_block_size(k->activation_type);
    if (a->rows <= 0 || a->cols <= 0 || a->tokens <= 0 || a->cols % bs != 0 || a->cols % abs_ != 0 ||
        a->row_bytes < (size_t)(a->cols / bs) * ck_block_bytes(a->weight_type))
        return CK_ERR_BAD_SHAPE;
    if (a->backend == CK_BACKEND_AVX2 && !ck_cpu_has_avx2()) return CK_ERR_BACKEND_UNAVAILABLE;
    return CK_OK;
}

// The matrices of one ck_matmul_group call: each keeps its own context (all sharing one quantized
// input) and a contiguous run of the dispatch's chunks.
typedef struct {
    mm_ctx m[CK_MATMUL_GROUP_MAX];
    int first_chunk[CK_MATMUL_GROUP_MAX + 1];
} group_ctx;

static void group_task(void *raw, int t, int nt) {
    (void)nt;
    const group_ctx *g = raw;
    int i = 0;
    while (t >= g->first_chunk[i + 1]) i++;
    dot_task((void *)&g->m[i], t - g->first_chunk[i], g->first_chunk[i + 1] - g->first_chunk[i]);
}

int ck_matmul_group(ck_pool *pool, const ck_matmul_args *args, int count) {
    if (count <= 0 || count > CK_MATMUL_GROUP_MAX) return CK_ERR_BAD_SHAPE;
    const ck_matmul_args *a = &args[0];
    const ck_weight_kernels *k = ck_kernels_for(a->weight_type);
    if (k == NULL) return CK_ERR_UNSUPPORTED_TYPE;
    for (int i = 0; i < count; i++) {
        const ck_matmul_args *b = &args[i];
        if (b->weight_type != a->weight_type || b->cols != a->cols || b->tokens != a->tokens ||
            b->input != a->input || b->backend != a->backend)
            return CK_ERR_BAD_SHAPE;
        int status = check_args(b, k);
        if (status != CK_OK) return status;
    }
    int avx = a->backend == CK_BACKEND_AVX2;
    group_ctx g;
    mm_ctx *c = &g.m[0];
    int batched = ck_batch_order_tokens(a->weight_type, a->tokens);
    *c = (mm_ctx){a, avx ? k->dot_avx2 : k->dot_scalar, avx ? k->dot2_avx2 : NULL, avx ? k->dot4_avx2 : NULL,
                  avx ? k->batch_avx2 : k->batch_scalar, batched,
                  NULL, NULL, 0, avx && k->pairs_dot_avx2 != NULL ? k : NULL, NULL, 0,
                  avx && batched == 0 ? k->group_avx2 : NULL, NULL, 0};
    if (k->activation_type == CK_TYPE_F32) {
        c->act = (const uint8_t *)a->input;
        c->act_row_bytes = (size_t)a->cols * sizeof(float);
    } else {
        if (a->scratch == NULL || a->scratch_bytes < ck_matmul_scratch_bytes(a->weight_type, a->tokens, a->cols))
            return CK_ERR_SCRATCH_TOO_SMALL;
        c->quant = ck_quantizer(k->activation_type, a->backend);
        c->act = a->scratch;
        c->act_row_bytes = act_row_bytes(k->activation_type, a->cols);
        c->pair_act = (uint8_t *)a->scratch + (size_t)a->tokens * c->act_row_bytes;
        c->pair_row_bytes = pair_row_bytes(k, a->cols);
        c->group_act = c->pair_act + (size_t)a->tokens * c->pair_row_bytes;
        c->group_row_bytes = group_row_bytes(k, a->cols);
        int threads = ck_pool_threads(pool);
        if (a->tokens < threads * PARALLEL_QUANT_TOKENS_PER_THREAD) quant_task(c, 0, 1);
        else ck_pool_run_chunks(pool, quant_task, c, a->tokens < threads * CHUNKS_PER_THREAD ? a->tokens : threads * CHUNKS_PER_THREAD);
    }
    int total_units = 0, total_rows = 0;
    for (int i = 0; i < count; i++) {
        total_units += (args[i].rows + ROW_ALIGN - 1) / ROW_ALIGN;
        total_rows += args[i].rows;
    }
    int budget = ck_pool_threads(pool) * CHUNKS_PER_THREAD;
    g.first_chunk[0] = 0;
    for (int i = 0; i < count; i++) {
        if (i > 0) {
            g.m[i] = *c;
            g.m[i].a = &args[i];
        }
        // Chunks in proportion to the matrix's rows, at least one, at most one per row group.
        int units = (args[i].rows + ROW_ALIGN - 1) / ROW_ALIGN;
        int share = (int)(((int64_t)budget * units + total_units - 1) / total_units);
        g.first_chunk[i + 1] = g.first_chunk[i] + (share < units ? share : units);
    }
    if (total_rows < ROW_ALIGN * 2) {  // too small to be worth a dispatch
        for (int i = 0; i < count; i++) dot_task(&g.m[i], 0, 1);
    } else {
        ck_pool_run_chunks(pool, group_task, &g, g.first_chunk[count]);
    }
    return CK_OK;
}

int ck_matmul(ck_pool *pool, const ck_matmul_args *a) { return ck_matmul_group(pool, a, 1); }
