// Half/bfloat conversions and dequantization (row of blocks -> f32).
#include "ck_internal.h"

float ck_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        // Zero or subnormal: mant * 2^-24, exact in f32.
        float f = (float)mant * 0x1p-24f;
        return sign ? -f : f;
    } else if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + (127 - 15)) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

// Round to nearest, ties to even (what F16C's vcvtps2ph does in the default rounding mode).
uint16_t ck_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7FFFFFFFu;
    if (ax >= 0x7F800000u) return (uint16_t)(sign | 0x7C00 | (ax > 0x7F800000u ? 0x200 : 0));
    if (ax >= 0x477FF000u) return (uint16_t)(sign | 0x7C00); // >= 65520 rounds to infinity
    if (ax < 0x38800000u) {                                 // below 2^-14: subnormal half
        if (ax < 0x33000000u) return sign;                  // <= 2^-25 rounds to zero
        uint32_t e = ax >> 23;
        uint32_t m = (ax & 0x7FFFFFu) | 0x800000u;
        uint32_t shift = 126 - e;                           // value in units of 2^-24
        uint32_t q = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1);
        uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1))) q++;
        return (uint16_t)(sign | q);
    }
    uint32_t base = (((ax >> 23) - (127 - 15)) << 10) | ((ax & 0x7FFFFFu) >> 13);
    uint32_t rem = ax & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (base & 1))) base++;
    return (uint16_t)(sign | base);
}

float ck_bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

uint16_t ck_f32_to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((x >> 16) | 64); // quiet NaN
    return (uint16_t)((x + (0x7FFFu + ((x >> 16) & 1))) >> 16);
}

static void deq_q4_0(const block_q4_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = ck_half(b[i].d);
        for (int j = 0; j < QK / 2; j++) {
            y[j] = (float)((int)(b[i].qs[j] & 0xF) - 8) * d;
            y[j + QK / 2] = (float)((int)(b[i].qs[j] >> 4) - 8) * d;
        }
    }
}

static void deq_q4_1(const block_q4_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = ck_half(b[i].d), m = ck_half(b[i].m);
        for (int j = 0; j < QK / 2; j++) {
            y[j] = (b[i].qs[j] & 0xF) * d + m;
            y[j + QK / 2] = (b[i].qs[j] >> 4) * d + m;
        }
    }
}

static void deq_q8_0(const block_q8_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = ck_half(b[i].d);
        for (int j = 0; j < QK; j++) y[j] = b[i].qs[j] * d;
    }
}

static void deq_q8_1(const block_q8_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = ck_half(b[i].d);
        for (int j = 0; j < QK; j++) y[j] = b[i].qs[j] * d;
    }
}

static void deq_q4_K(const block_q4_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = ck_half(b[i].d), dmin = ck_half(b[i].dmin);
        const uint8_t *q = b[i].qs;
        for (int j = 0; j < QK_K; j += 64, q += 32) {
            uint8_t sc, m;
            int is = j / 32;
            ck_scale_min_k4(is, b[i].scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            ck_scale_min_k4(is + 1, b[i].scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

static void deq_q5_K(const block_q5_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = ck_half(b[i].d), dmin = ck_half(b[i].dmin);
        const uint8_t *ql = b[i].qs, *qh = b[i].qh;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < QK_K; j += 64, ql += 32) {
            uint8_t sc, m;
            int is = j / 32;
            ck_scale_min_k4(is, b[i].scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            ck_scale_min_k4(is + 1, b[i].scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * ((ql[l] & 0xF) + ((qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * ((ql[l] >> 4) + ((qh[l] & u2) ? 16 : 0)) - m2;
            u1 = (uint8_t)(u1 << 2);
            u2 = (uint8_t)(u2 << 2);
        }
    }
}

static void deq_q6_K(const block_q6_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = ck_half(b[i].d);
        const uint8_t *ql = b[i].ql, *qh = b[i].qh;
        const int8_t *sc = b[i].scales;
        for (int n = 0; n < QK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = (int)((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = (int)((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is + 0] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
        }
    }
}

static void deq_q8_K(const block_q8_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK_K)
        for (int j = 0; j < QK_K; j++) y[j] = b[i].d * b[i].qs[j];
}

int ck_dequantize(int type, const void *x, float *y, int64_t count) {
    int bs = ck_block_size(type);
    if (bs == 0) return CK_ERR_UNSUPPORTED_TYPE;
    if (count < 0 || count % bs != 0) return CK_ERR_BAD_SHAPE;
    int64_t nb = count / bs;
    switch (type) {
    case CK_TYPE_F32: memcpy(y, x, (size_t)count * sizeof(float)); break;
    case CK_TYPE_F16: {
        const uint16_t *h = x;
        for (int64_t i = 0; i < count; i++) y[i] = ck_f16_to_f32(h[i]);
        break;
    }
    case CK_TYPE_BF16: {
        const uint16_t *h = x;
        for (int64_t i = 0; i < count; i++) y[i] = ck_bf16_to_f32(h[i]);
        break;
    }
    case CK_TYPE_Q4_0: deq_q4_0(x, y, nb); break;
    case CK_TYPE_Q4_1: deq_q4_1(x, y, nb); break;
    case CK_TYPE_Q5_0: ck_dequantize_q5_0(x, y, nb); break;
    case CK_TYPE_Q5_1: ck_dequantize_q5_1(x, y, nb); break;
    case CK_TYPE_Q8_0: deq_q8_0(x, y, nb); break;
    case CK_TYPE_Q8_1: deq_q8_1(x, y, nb); break;
    case CK_TYPE_Q4_K: deq_q4_K(x, y, nb); break;
    case CK_TYPE_Q5_K: deq_q5_K(x, y, nb); break;
    case CK_TYPE_Q6_K: deq_q6_K(x, y, nb); break;
    case CK_TYPE_Q8_K: deq_q8_K(x, y, nb); break;
    default: return CK_ERR_UNSUPPORTED_TYPE;
    }
    return CK_OK;
}
