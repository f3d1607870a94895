// Q5_0 and Q5_1 weights (32-element blocks with a fifth bit per weight in `qh`): decoding,
// reference encoding, and row dot products against Q8_0 / Q8_1 activations, scalar and AVX2.
#include "ck_simd.h"

#define ROW(w, r, row_bytes) ((const void *)((w) + (size_t)(r) * (row_bytes)))

static inline uint32_t high_bits(const uint8_t qh[4]) {
    uint32_t h;
    memcpy(&h, qh, sizeof h);
    return h;
}

// Element j of a block is (nibble j | bit j << 4): low nibbles hold elements 0..15, high
// nibbles 16..31, and bit j of qh is element j's fifth bit.
static inline int q5_value(const uint8_t *qs, uint32_t qh, int j) {
    int nibble = j < QK / 2 ? qs[j] & 0xF : qs[j - QK / 2] >> 4;
    return nibble | (int)(((qh >> j) & 1) << 4);
}

void ck_dequantize_q5_0(const void *x, float *y, int64_t nb) {
    const block_q5_0 *b = x;
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = ck_half(b[i].d);
        uint32_t qh = high_bits(b[i].qh);
        for (int j = 0; j < QK; j++) y[j] = (float)(q5_value(b[i].qs, qh, j) - 16) * d;
    }
}

void ck_dequantize_q5_1(const void *x, float *y, int64_t nb) {
    const block_q5_1 *b = x;
    for (int64_t i = 0; i < nb; i++, y += QK) {
        float d = ck_half(b[i].d), m = ck_half(b[i].m);
        uint32_t qh = high_bits(b[i].qh);
        for (int j = 0; j < QK; j++) y[j] = (float)q5_value(b[i].qs, qh, j) * d + m;
    }
}

static void pack_q5(const int q[QK], uint8_t qs[QK / 2], uint8_t qh_bytes[4]) {
    uint32_t qh = 0;
    for (int j = 0; j < QK / 2; j++) qs[j] = (uint8_t)((q[j] & 0xF) | ((q[j + QK / 2] & 0xF) << 4));
    for (int j = 0; j < QK; j++) qh |= (uint32_t)((q[j] >> 4) & 1) << j;
    memcpy(qh_bytes, &qh, sizeof qh);
}

// ggml's reference rounding: Q5_0 scales by the value of largest magnitude over -16.
void ck_quantize_q5_0(const float *x, void *y, int64_t n) {
    block_q5_0 *b = y;
    for (int64_t i = 0; i < n / QK; i++, x += QK) {
        float max = ck_signed_absmax(x, QK);
        float d = max / -16.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        int q[QK];
        for (int j = 0; j < QK; j++) {
            int v = (int8_t)(x[j] * id + 16.5f);
            q[j] = v > 31 ? 31 : v;
        }
        b[i].d = ck_f32_to_f16(d);
        pack_q5(q, b[i].qs, b[i].qh);
    }
}

void ck_quantize_q5_1(const float *x, void *y, int64_t n) {
    block_q5_1 *b = y;
    for (int64_t i = 0; i < n / QK; i++, x += QK) {
        float min = x[0], max = x[0];
        for (int j = 1; j < QK; j++) {
            if (x[j] < min) min = x[j];
            if (x[j] > max) max = x[j];
        }
        float d = (max - min) / 31.0f;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        int q[QK];
        for (int j = 0; j < QK; j++) {
            int v = (int)((x[j] - min) * id + 0.5f);
            q[j] = v > 31 ? 31 : v;
        }
        b[i].d = ck_f32_to_f16(d);
        b[i].m = ck_f32_to_f16(min);
        pack_q5(q, b[i].qs, b[i].qh);
    }
}

void ck_dot_rows_q5_0_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_0 *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_0 *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK; i++) {
            uint32_t qh = high_bits(x[i].qh);
            int sumi = 0;
            for (int j = 0; j < QK; j++) sumi += (q5_value(x[i].qs, qh, j) - 16) * y[i].qs[j];
            sum += (float)sumi * (ck_half(x[i].d) * ck_half(y[i].d));
        }
        out[r] = sum;
    }
}

void ck_dot_rows_q5_1_scalar(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_1 *y = act;
    for (int r = 0; r < nrows; r++) {
        const block_q5_1 *x = ROW(w, r, rb);
        float sum = 0.0f;
        for (int i = 0; i < n / QK; i++) {
            uint32_t qh = high_bits(x[i].qh);
            int sumi = 0;
            for (int j = 0; j < QK; j++) sumi += q5_value(x[i].qs, qh, j) * y[i].qs[j];
            sum += (ck_half(x[i].d) * ck_half(y[i].d)) * (float)sumi + ck_half(x[i].m) * ck_half(y[i].s);
        }
        out[r] = sum;
    }
}

/// 32 bits -> 32 bytes, 0xFF where the bit is set: byte i tests bit i % 8 of byte i / 8.
CK_AVX2 static inline __m256i bits_to_bytes32(const uint8_t qh[4]) {
    const __m256i spread = _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303);
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)high_bits(qh)), spread);
    return _mm256_cmpeq_epi8(_mm256_and_si256(bytes, bit), bit);
}

CK_AVX2 void ck_dot_rows_q5_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_0 *y = act;
    const int nb = n / QK;
    for (int r = 0; r < nrows; r++) {
        const block_q5_0 *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < nb; i++) {
            // nibble | 0xF0 where the fifth bit is clear is exactly (nibble | bit << 4) - 16 as int8.
            __m256i hi = _mm256_andnot_si256(bits_to_bytes32(x[i].qh), _mm256_set1_epi8((char)0xF0));
            __m256i qx = _mm256_or_si256(ck_nibbles32(x[i].qs), hi);
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            __m256 p = _mm256_cvtepi32_ps(ck_dot_i8_i8(qx, qy));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(ck_half_avx2(x[i].d) * ck_half_avx2(y[i].d)), p, acc);
        }
        out[r] = ck_hsum_ps(acc);
    }
}

// Prefill: four rows x two tokens per pass, each weight block unpacked once; every sum is formed
// exactly as in ck_dot_rows_q5_0_avx2, so prefill and decode agree bit for bit.
CK_AVX2 void ck_dot_rows2_q5_0_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act0,
                                    const void *act1, float *out0, float *out1) {
    const block_q8_0 *y0 = act0, *y1 = act1;
    const int nb = n / QK;
    int r = 0;
    for (; r + 4 <= nrows; r += 4) {
        const block_q5_0 *x[4] = {ROW(w, r, rb), ROW(w, r + 1, rb), ROW(w, r + 2, rb), ROW(w, r + 3, rb)};
        __m256 a0[4], a1[4];
        for (int k = 0; k < 4; k++) a0[k] = a1[k] = _mm256_setzero_ps();
        for (int i = 0; i < nb; i++) {
            __m256i qy0 = _mm256_loadu_si256((const __m256i *)y0[i].qs);
            __m256i qy1 = _mm256_loadu_si256((const __m256i *)y1[i].qs);
            float dy0 = ck_half_avx2(y0[i].d), dy1 = ck_half_avx2(y1[i].d);
            for (int k = 0; k < 4; k++) {
                __m256i hi = _mm256_andnot_si256(bits_to_bytes32(x[k][i].qh), _mm256_set1_epi8((char)0xF0));
                __m256i q = _mm256_or_si256(ck_nibbles32(x[k][i].qs), hi);
                __m256i aq = _mm256_sign_epi8(q, q);
                float dx = ck_half_avx2(x[k][i].d);
                __m256 p0 = _mm256_cvtepi32_ps(ck_dot_u8_i8(aq, _mm256_sign_epi8(qy0, q)));
                __m256 p1 = _mm256_cvtepi32_ps(ck_dot_u8_i8(aq, _mm256_sign_epi8(qy1, q)));
                a0[k] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy0), p0, a0[k]);
                a1[k] = _mm256_fmadd_ps(_mm256_set1_ps(dx * dy1), p1, a1[k]);
            }
        }
        for (int k = 0; k < 4; k++) {
            out0[r + k] = ck_hsum_ps(a0[k]);
            out1[r + k] = ck_hsum_ps(a1[k]);
        }
    }
    if (r < nrows) {
        ck_dot_rows_q5_0_avx2(n, nrows - r, w + (size_t)r * rb, rb, act0, out0 + r);
        ck_dot_rows_q5_0_avx2(n, nrows - r, w + (size_t)r * rb, rb, act1, out1 + r);
    }
}

CK_AVX2 void ck_dot_rows_q5_1_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    const block_q8_1 *y = act;
    const int nb = n / QK;
    for (int r = 0; r < nrows; r++) {
        const block_q5_1 *x = ROW(w, r, rb);
        __m256 acc = _mm256_setzero_ps();
        float mins = 0.0f;
        for (int i = 0; i < nb; i++) {
            mins += ck_half_avx2(x[i].m) * ck_half_avx2(y[i].s);
            __m256i hi = _mm256_and_si256(bits_to_bytes32(x[i].qh), _mm256_set1_epi8(0x10));
            __m256i qx = _mm256_or_si256(ck_nibbles32(x[i].qs), hi);
            __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
            __m256 p = _mm256_cvtepi32_ps(ck_dot_u8_i8(qx, qy));
            __m256 d = _mm256_mul_ps(_mm256_set1_ps(ck_half_avx2(x[i].d)), _mm256_set1_ps(ck_half_avx2(y[i].d)));
            acc = _mm256_fmadd_ps(p, d, acc);
        }
        out[r] = ck_hsum_ps(acc) + mins;
    }
}
