// Weight quantizers: Q4_0/Q4_1 follow ggml's reference rounding; the K-quant encoders are
// simple min/max fits (valid blocks for tests and the writer, not ggml's optimised search).
#include "ck_internal.h"
#include <float.h>
#include <math.h>

void ck_quantize_q4_0(const float *x, void *y, int64_t n) {
    block_q4_0 *b = y;
    for (int64_t i = 0; i < n / QK; i++, x += QK) {
        float max = ck_signed_absmax(x, QK);
        float d = max / -8.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = ck_f32_to_f16(d);
        for (int j = 0; j < QK / 2; j++) {
            int q0 = (int8_t)(x[j] * id + 8.5f), q1 = (int8_t)(x[j + QK / 2] * id + 8.5f);
            q0 = q0 > 15 ? 15 : q0;
            q1 = q1 > 15 ? 15 : q1;
            b[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

void ck_quantize_q4_1(const float *x, void *y, int64_t n) {
    block_q4_1 *b = y;
    for (int64_t i = 0; i < n / QK; i++, x += QK) {
        float min = FLT_MAX, max = -FLT_MAX;
        for (int j = 0; j < QK; j++) {
            if (x[j] < min) min = x[j];
            if (x[j] > max) max = x[j];
        }
        float d = (max - min) / 15.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = ck_f32_to_f16(d);
        b[i].m = ck_f32_to_f16(min);
        for (int j = 0; j < QK / 2; j++) {
            int q0 = (int8_t)((x[j] - min) * id + 0.5f), q1 = (int8_t)((x[j + QK / 2] - min) * id + 0.5f);
            q0 = q0 > 15 ? 15 : q0;
            q1 = q1 > 15 ? 15 : q1;
            b[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Fits 8 sub-blocks of 32 as x ~ d*sc*q - dmin*m with q in 0...qmax; writes the packed scales
// and the levels L[256].
static void fit_k_scales(const float *x, int qmax, uint16_t *d_out, uint16_t *dmin_out,
                         uint8_t scales[K_SCALE_SIZE], uint8_t L[QK_K]) {
    float sub_scale[8], sub_min[8], max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 8; j++) {
        float lo = 0.0f, hi = 0.0f; // the model's min is never positive (stored as a subtraction)
        for (int l = 0; l < 32; l++) {
            float v = x[j * 32 + l];
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        sub_scale[j] = (hi - lo) / (float)qmax;
        sub_min[j] = -lo;
        if (sub_scale[j] > max_scale) max_scale = sub_scale[j];
        if (sub_min[j] > max_min) max_min = sub_min[j];
    }
    float d = max_scale / 63.0f, dmin = max_min / 63.0f;
    *d_out = ck_f32_to_f16(d);
    *dmin_out = ck_f32_to_f16(dmin);
    float dq = ck_f16_to_f32(*d_out), dminq = ck_f16_to_f32(*dmin_out);
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; j++) {
        sc[j] = (uint8_t)(dq > 0 ? clampi((int)nearbyintf(sub_scale[j] / dq), 0, 63) : 0);
        mn[j] = (uint8_t)(dminq > 0 ? clampi((int)nearbyintf(sub_min[j] / dminq), 0, 63) : 0);
    }
    memset(scales, 0, K_SCALE_SIZE);
    for (int j = 0; j < 8; j++) {
        if (j < 4) {
            scales[j] = sc[j];
            scales[j + 4] = mn[j];
        } else {
            scales[j + 4] = (uint8_t)((sc[j] & 0xF) | ((mn[j] & 0xF) << 4));
            scales[j - 4] |= (uint8_t)((sc[j] >> 4) << 6);
            scales[j] |= (uint8_t)((mn[j] >> 4) << 6);
        }
    }
    for (int j = 0; j < 8; j++) {
        float de = dq * sc[j], me = dminq * mn[j];
        for (int l = 0; l < 32; l++) {
            int q = de > 0 ? (int)nearbyintf((x[j * 32 + l] + me) / de) : 0;
            L[j * 32 + l] = (uint8_t)clampi(q, 0, qmax);
        }
    }
}

void ck_quantize_q4_K(const float *x, void *y, int64_t n) {
    block_q4_K *b = y;
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        fit_k_scales(x, 15, &b[i].d, &b[i].dmin, b[i].scales, L);
        for (int c = 0; c < 4; c++)
            for (int l = 0; l < 32; l++)
                b[i].qs[c * 32 + l] = (uint8_t)(L[c * 64 + l] | (L[c * 64 + 32 + l] << 4));
    }
}

void ck_quantize_q5_K(const float *x, void *y, int64_t n) {
    block_q5_K *b = y;
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        fit_k_scales(x, 31, &b[i].d, &b[i].dmin, b[i].scales, L);
        memset(b[i].qh, 0, sizeof b[i].qh);
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                uint8_t lo = L[c * 64 + l], hi = L[c * 64 + 32 + l];
                b[i].qs[c * 32 + l] = (uint8_t)((lo & 0xF) | ((hi & 0xF) << 4));
                b[i].qh[l] |= (uint8_t)(((lo >> 4) << (2 * c)) | ((hi >> 4) << (2 * c + 1)));
            }
        }
    }
}

void ck_quantize_q6_K(const float *x, void *y, int64_t n) {
    block_q6_K *b = y;
    for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
        float sub_scale[16], max_scale = 0.0f;
        for (int j = 0; j < 16; j++) {
            float amax = 0.0f;
            for (int l = 0; l < 16; l++) amax = fmaxf(amax, fabsf(x[j * 16 + l]));
            sub_scale[j] = amax / 31.0f;
            if (sub_scale[j] > max_scale) max_scale = sub_scale[j];
        }
        b[i].d = ck_f32_to_f16(max_scale / 127.0f);
        float dq = ck_f16_to_f32(b[i].d);
        uint8_t L[QK_K];
        for (int j = 0; j < 16; j++) {
            int sc = dq > 0 ? clampi((int)nearbyintf(sub_scale[j] / dq), -128, 127) : 0;
            b[i].scales[j] = (int8_t)sc;
            float de = dq * (float)sc;
            for (int l = 0; l < 16; l++) {
                int q = de != 0 ? (int)nearbyintf(x[j * 16 + l] / de) : 0;
                L[j * 16 + l] = (uint8_t)(clampi(q, -32, 31) + 32);
            }
        }
        for (int h = 0; h < 2; h++) {
            const uint8_t *Lh = L + h * 128;
            uint8_t *ql = b[i].ql + h * 64, *qh = b[i].qh + h * 32;
            for (int l = 0; l < 32; l++) {
                uint8_t q1 = Lh[l], q2 = Lh[l + 32], q3 = Lh[l + 64], q4 = Lh[l + 96];
                ql[l] = (uint8_t)((q1 & 0xF) | ((q3 & 0xF) << 4));
                ql[l + 32] = (uint8_t)((q2 & 0xF) | ((q4 & 0xF) << 4));
                qh[l] = (uint8_t)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }
}
