// Scalar twins of the row dot products: plain C, integer sums per block, scaled by block scales.
#include "ck_internal.h"
#include <math.h>

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))

void ck_dot_rows_f32_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const float *y = act;
    for (int r = 0; r < nrows; r++) {
        const float *x = ROW(w, r, rb);
        double sum = 0.0;
        for (int i = 0; i < n; i++) sum += (double)(x[i] * y[i]);
        out[r] = (float)sum;
    }
}

void ck_dot_rows_f16_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const uint16_t *y = act;
    for (int r = 0; r < nrows; r++) {
        const uint16_t *x = ROW(w, r, rb);
        double sum = 0.0;
        for (int i = 0; i < n; i++) sum += (double)(ck_f16_to_f32(x[i]) * ck_f16_to_f32(y[i]));
        out[r] = (float)sum;
    }
}

void ck_dot_rows_bf16_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const uint16_t *y = act;
    for (int r = 0; r < nrows; r++) {
        const uint16_t *x = ROW(w, r, rb);
        double sum = 0.0;
        for (int i = 0; i < n; i++) sum += (double)(ck_bf16_to_f32(x[i]) * ck_bf16_to_f32(y[i]));
        out[r] = (float)sum;
    }
}

void ck_dot_rows_q4_0_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_0 *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_0 *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK; i++) {
            int sumi = 0;
            for (int j = 0; j < QK / 2; j++) {
                sumi += ((x[i].qs[j] & 0xF) - 8) * y[i].qs[j];
                sumi += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + QK / 2];
            }
            sum += (float)sumi * (ck_half(x[i].d) * ck_half(y[i].d));
        }
        out[r] = sum;
    }
}

void ck_dot_rows_q4_1_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_1 *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_1 *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK; i++) {
            int sumi = 0;
            for (int j = 0; j < QK / 2; j++) {
                sumi += (x[i].qs[j] & 0xF) * y[i].qs[j];
                sumi += (x[i].qs[j] >> 4) * y[i].qs[j + QK / 2];
            }
            sum += (ck_half(x[i].d) * ck_half(y[i].d)) * (float)sumi + ck_half(x[i].m) * ck_half(y[i].s);
        }
        out[r] = sum;
    }
}

void ck_dot_rows_q8_0_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_0 *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q8_0 *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK; i++) {
            int sumi = 0;
            for (int j = 0; j < QK; j++) sumi += x[i].qs[j] * y[i].qs[j];
            sum += (float)sumi * (ck_half(x[i].d) * ck_half(y[i].d));
        }
        out[r] = sum;
    }
}

// Q4_K/Q5_K super-block integer sums: lanes[k] (k = 0..7) gathers, over the eight 32-element
// sub-blocks, sc_j times the products at positions 4k..4k+3 of each -- the 8 int32 lanes of the
// AVX2 kernel; *mins = sum_j m_j * (bsum of sub-block j). qh == NULL means Q4_K.
static void k4_block_ints(const uint8_t *qs, const uint8_t *qh, const uint8_t *scales, const block_q8_K *y,
                          int lanes[8], int *mins) {
    for (int k = 0; k < 8; k++) lanes[k] = 0;
    *mins = 0;
    for (int j = 0; j < 8; j++) {
        uint8_t sc, m;
        ck_scale_min_k4(j, scales, &sc, &m);
        const uint8_t *q = qs + (j / 2) * 32;
        int shift = (j & 1) * 4;
        for (int l = 0; l < 32; l++) {
            int v = (q[l] >> shift) & 0xF;
            if (qh != NULL && (qh[l] >> j) & 1) v += 16;
            lanes[l / 4] += sc * v * y->qs[j * 32 + l];
        }
        *mins += m * (y->bsums[2 * j] + y->bsums[2 * j + 1]);
    }
}

// Q4_K in llama.cpp's order for the AVX2 build, which repacks Q4_K weights (8 rows interleaved):
// per super-block one integer sum, then acc = fma(float(sum), d * dy, acc); the mins likewise;
// the result is acc - acc_mins.
void ck_dot_rows_q4_K_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_K *x = ROW(w, r, rb);
        float acc = 0.0f, acc_mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            int lanes[8], mins;
            k4_block_ints(x[i].qs, NULL, x[i].scales, &y[i], lanes, &mins);
            int sum = 0;
            for (int k = 0; k < 8; k++) sum += lanes[k];
            acc = fmaf((float)sum, ck_half(x[i].d) * y[i].d, acc);
            acc_mins = fmaf((float)mins, ck_half(x[i].dmin) * y[i].d, acc_mins);
        }
        out[r] = acc - acc_mins;
    }
}

// Q4_K for tokens in whole groups of four, as llama.cpp's repacked matrix multiply sums them: one
// fma per 64 elements (two sub-blocks) instead of one per super-block.
void ck_dot_rows_q4_K_group_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_K *x = ROW(w, r, rb);
        float acc = 0.0f, acc_mins = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            float d = ck_half(x[i].d) * y[i].d, dmin = ck_half(x[i].dmin) * y[i].d;
            for (int pair = 0; pair < 4; pair++) {
                int sum = 0, mins = 0;
                for (int j = 2 * pair; j < 2 * pair + 2; j++) {
                    uint8_t sc, m;
                    ck_scale_min_k4(j, x[i].scales, &sc, &m);
                    const uint8_t *q = x[i].qs + pair * 32;
                    int sumi = 0;
                    for (int l = 0; l < 32; l++) sumi += ((q[l] >> ((j & 1) * 4)) & 0xF) * y[i].qs[j * 32 + l];
                    sum += sc * sumi;
                    mins += m * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
                }
                acc = fmaf((float)sum, d, acc);
                acc_mins = fmaf((float)mins, dmin, acc_mins);
            }
        }
        out[r] = acc - acc_mins;
    }
}

// Q5_K in the order of llama.cpp's AVX2 vector dot: 8 float lanes, acc[k] = fma(d, lane_k, acc[k])
// per super-block, summed as the 8-lane horizontal add; mins = fma(-dmin, int, mins) alongside.
void ck_dot_rows_q5_K_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_K *x = ROW(w, r, rb);
        float acc[8] = {0}, mins_sum = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            int lanes[8], mins;
            k4_block_ints(x[i].qs, x[i].qh, x[i].scales, &y[i], lanes, &mins);
            float d = y[i].d * ck_half(x[i].d), dmin = -y[i].d * ck_half(x[i].dmin);
            for (int k = 0; k < 8; k++) acc[k] = fmaf(d, (float)lanes[k], acc[k]);
            mins_sum = fmaf(dmin, (float)mins, mins_sum);
        }
        out[r] = ck_fold8(acc) + mins_sum;
    }
}

// Q6_K super-block as 8 int32 lanes, as llama.cpp's AVX2 vector dot forms them: the unsigned
// values (q + 32) at positions 4k..4k+3 of each 32-element chunk, times the chunk's 16-element
// scale, minus lane k's share of the offset, 32 * (sc[2k] * bsum[2k] + sc[2k+1] * bsum[2k+1]).
static void q6_block_lanes(const block_q6_K *x, const block_q8_K *y, int lanes[8]) {
    for (int k = 0; k < 8; k++) lanes[k] = 0;
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = x->ql + h * 64, *qh = x->qh + h * 32;
        const int8_t *q8 = y->qs + h * 128;
        const int8_t *sc = x->scales + h * 8;
        for (int l = 0; l < 32; l++) {
            int u[4] = {(ql[l] & 0xF) | ((qh[l] & 3) << 4), (ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4),
                        (ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4), (ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)};
            for (int c = 0; c < 4; c++) lanes[l / 4] += sc[2 * c + l / 16] * u[c] * q8[32 * c + l];
        }
    }
    for (int k = 0; k < 8; k++)
        lanes[k] -= 32 * (x->scales[2 * k] * y->bsums[2 * k] + x->scales[2 * k + 1] * y->bsums[2 * k + 1]);
}

void ck_dot_rows_q6_K_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q6_K *x = ROW(w, r, rb);
        float acc[8] = {0};
        for (int i = 0; i < n / QK_K; i++) {
            int lanes[8];
            q6_block_lanes(&x[i], &y[i], lanes);
            float d = y[i].d * ck_half(x[i].d);
            for (int k = 0; k < 8; k++) acc[k] = fmaf(d, (float)lanes[k], acc[k]);
        }
        out[r] = ck_fold8(acc);
    }
}

// Batches of 8+ tokens, in the order of llama.cpp's tiled K-quant multiply: one integer sum per
// super-block, r = d * float(sum) [- dmin * float(mins), fused], acc = fma(r, dy, acc).
void ck_dot_rows_q6_K_batch_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q6_K *x = ROW(w, r, rb);
        float acc = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            int lanes[8], sum = 0;
            q6_block_lanes(&x[i], &y[i], lanes);
            for (int k = 0; k < 8; k++) sum += lanes[k];
            acc = fmaf(ck_half(x[i].d) * (float)sum, y[i].d, acc);
        }
        out[r] = acc;
    }
}

void ck_dot_rows_q5_K_batch_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_K *x = ROW(w, r, rb);
        float acc = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            int lanes[8], mins, sum = 0;
            k4_block_ints(x[i].qs, x[i].qh, x[i].scales, &y[i], lanes, &mins);
            for (int k = 0; k < 8; k++) sum += lanes[k];
            float res = fmaf(-ck_half(x[i].dmin), (float)mins, ck_half(x[i].d) * (float)sum);
            acc = fmaf(res, y[i].d, acc);
        }
        out[r] = acc;
    }
}
