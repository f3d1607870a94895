// Element-wise FP32 operations: RMS norm, SiLU gating, add, scale, softmax (GELU: ck_gelu.c).
// Scalar twins follow ggml's CPU formulas; AVX2 versions use ck_exp8 (below) for exp, except SiLU,
// which uses ck_expf8 (ck_simd.h) to round exactly as llama.cpp does.
#include "ck_simd.h"
#include <math.h>

// MARK: - Scalar

void ck_rms_norm_scalar(const float *x, const float *w, int n, float eps, float *y) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    float mean = (float)(sum / n);
    float scale = 1.0f / sqrtf(mean + eps);
    // Two roundings, like ggml's rms_norm followed by a separate mul by the weight.
    for (int i = 0; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

void ck_silu_mul_scalar(const float *gate, const float *up, int n, float *y) {
    for (int i = 0; i < n; i++) y[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

void ck_add_scalar(float *x, const float *y, int n) {
    for (int i = 0; i < n; i++) x[i] += y[i];
}

void ck_scale_scalar(float *x, float s, int n) {
    for (int i = 0; i < n; i++) x[i] *= s;
}

void ck_softmax_scalar(float *x, int n) {
    float max = -INFINITY;
    for (int i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += (double)x[i];
    }
    float inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++) x[i] *= inv;
}

// MARK: - AVX2

// Inputs are clamped to +-88 so that 2^k stays a normal float (exp(88) ~ 1.65e38 < FLT_MAX).
#define EXP_CLAMP 88.0f

/// e^x for 8 lanes: x = k ln2 + r, |r| <= ln2/2, degree-6 Taylor polynomial for e^r (error ~1 ulp).
CK_AVX2 static inline __m256 ck_exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-EXP_CLAMP)), _mm256_set1_ps(EXP_CLAMP));
    __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // ln2 split in a high part exact in float and a low correction (Cody-Waite reduction).
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 720.0f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

CK_AVX2 void ck_rms_norm_avx2(const float *x, const float *w, int n, float eps, float *y) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 sq = _mm256_mul_ps(v, v);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(sq)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(sq, 1)));
    }
    __m256d s = _mm256_add_pd(s0, s1);
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    for (; i < n; i++) sum += (double)(x[i] * x[i]);
    float mean = (float)(sum / n);
    float scale = 1.0f / sqrtf(mean + eps);
    __m256 vs = _mm256_set1_ps(scale);
    for (i = 0; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vs), _mm256_loadu_ps(w + i)));
    for (; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

CK_AVX2 void ck_silu_mul_avx2(const float *gate, const float *up, int n, float *y) {
    int i = 0;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= n; i += 8) {
        __m256 g = _mm256_loadu_ps(gate + i);
        __m256 e = ck_expf8(_mm256_sub_ps(_mm256_setzero_ps(), g));
        __m256 s = _mm256_div_ps(g, _mm256_add_ps(one, e));
        _mm256_storeu_ps(y + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) y[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

CK_AVX2 void ck_add_avx2(float *x, const float *y, int n) {
    int i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) x[i] += y[i];
}

CK_AVX2 void ck_scale_avx2(float *x, float s, int n) {
    int i = 0;
    __m256 vs = _mm256_set1_ps(s);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
    for (; i < n; i++) x[i] *= s;
}

CK_AVX2 void ck_softmax_avx2(float *x, int n) {
    float max = -INFINITY;
    int i = 0;
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(vmax), _mm256_extractf128_ps(vmax, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    max = _mm_cvtss_f32(m4);
    for (; i < n; i++) max = x[i] > max ? x[i] : max;
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    __m256 vm = _mm256_set1_ps(max);
    for (i = 0; i + 8 <= n; i += 8) {
        __m256 e = ck_exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
        _mm256_storeu_ps(x + i, e);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
    }
    __m256d s = _mm256_add_pd(s0, s1);
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    for (; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += (double)x[i];
    }
    ck_scale_avx2(x, (float)(1.0 / sum), n);
}

// MARK: - Dispatch

#define DISPATCH(name, params, args)                       \
    void name params {                                     \
        if (ck_backend() == CK_BACKEND_AVX2) name##_avx2 args; \
        else name##_scalar args;                           \
    }

DISPATCH(ck_rms_norm, (const float *x, const float *w, int n, float eps, float *y), (x, w, n, eps, y))
DISPATCH(ck_silu_mul, (const float *gate, const float *up, int n, float *y), (gate, up, n, y))
DISPATCH(ck_gelu_mul, (const float *gate, const float *up, int n, float *y), (gate, up, n, y))
DISPATCH(ck_add, (float *x, const float *y, int n), (x, y, n))
DISPATCH(ck_scale, (float *x, float s, int n), (x, s, n))
DISPATCH(ck_softmax, (float *x, int n), (x, n))

// MARK: - Logit soft-capping (scalar only: once per generated token, not worth a SIMD twin)

void ck_softcap(float *x, float cap, int n) {
    for (int i = 0; i < n; i++) x[i] = tanhf(x[i] * (1.0f / cap)) * cap;
}
