// Scalar twins of the row dot products: plain C, integer sums per block, scaled by block scales.
#include "ck_internal.h"

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

// Q4_K and Q5_K differ only in the 5th bit; qh == NULL means Q4_K.
static float dot_k4_block(const uint8_t *qs, const uint8_t *qh, const uint8_t *scales, float d, float dmin,
                          const block_q8_K *y) {
    int sum_scaled = 0, sum_mins = 0;
    for (int j = 0; j < 8; j++) {
        uint8_t sc, m;
        ck_scale_min_k4(j, scales, &sc, &m);
        const uint8_t *q = qs + (j / 2) * 32;
        int shift = (j & 1) * 4;
        int sumi = 0;
        for (int l = 0; l < 32; l++) {
            int v = (q[l] >> shift) & 0xF;
            if (qh != NULL && (qh[l] >> j) & 1) v += 16;
            sumi += v * y->qs[j * 32 + l];
        }
        sum_scaled += sc * sumi;
        sum_mins += m * (y->bsums[2 * j] + y->bsums[2 * j + 1]);
    }
    return d * y->d * (float)sum_scaled - dmin * y->d * (float)sum_mins;
}

void ck_dot_rows_q4_K_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q4_K *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK_K; i++)
            sum += dot_k4_block(x[i].qs, NULL, x[i].scales, ck_half(x[i].d), ck_half(x[i].dmin), &y[i]);
        out[r] = sum;
    }
}

void ck_dot_rows_q5_K_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_K *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK_K; i++)
            sum += dot_k4_block(x[i].qs, x[i].qh, x[i].scales, ck_half(x[i].d), ck_half(x[i].dmin), &y[i]);
        out[r] = sum;
    }
}

void ck_dot_rows_q6_K_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_K *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q6_K *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK_K; i++) {
            int total = 0;
            for (int h = 0; h < 2; h++) {
                const uint8_t *ql = x[i].ql + h * 64, *qh = x[i].qh + h * 32;
                const int8_t *q8 = y[i].qs + h * 128;
                const int8_t *sc = x[i].scales + h * 8;
                int part[8] = {0};
                for (int l = 0; l < 32; l++) {
                    int q1 = (int)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                    int q2 = (int)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                    int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                    int is = l / 16;
                    part[is + 0] += q1 * q8[l];
                    part[is + 2] += q2 * q8[l + 32];
                    part[is + 4] += q3 * q8[l + 64];
                    part[is + 6] += q4 * q8[l + 96];
                }
                for (int k = 0; k < 8; k++) total += sc[k] * part[k];
            }
            sum += ck_half(x[i].d) * y[i].d * (float)total;
        }
        out[r] = sum;
    }
}
