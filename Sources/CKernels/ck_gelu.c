// GELU gating (GeGLU): y = gelu(gate) * up, with the tanh approximation looked up in a table of
// all 65536 f16 inputs, as llama.cpp's CPU backend does: gate rounded to f16, its GELU stored as
// f16, saturating to 0 below -10 and to the identity above 10. Matching that rounding keeps
// Gemma's next 8-bit activation quantization identical to llama.cpp's.
#include "ck_simd.h"
#include <math.h>
#include <pthread.h>

// tanh-approximation GELU constants (Hendrycks & Gimpel), as used by ggml.
#define GELU_COEF_A 0.044715f
#define SQRT_2_OVER_PI 0.79788456080286535587989211986876f
#define GELU_SATURATION 10.0f

static uint16_t g_gelu_table[1 << 16];
static pthread_once_t g_gelu_once = PTHREAD_ONCE_INIT;

// 1 + A*x*x is contracted to fma(A*x, x, 1) as GCC compiles ggml's formula with FMA enabled.
static float gelu_tanh(float x) {
    return 0.5f * x * (1.0f + tanhf(SQRT_2_OVER_PI * x * fmaf(GELU_COEF_A * x, x, 1.0f)));
}

static void build_gelu_table(void) {
    for (uint32_t i = 0; i < (1u << 16); i++) g_gelu_table[i] = ck_f32_to_f16(gelu_tanh(ck_f16_to_f32((uint16_t)i)));
}

static const uint16_t *gelu_table(void) {
    pthread_once(&g_gelu_once, build_gelu_table);
    return g_gelu_table;
}

static inline float gelu_lookup(const uint16_t *table, float x, uint16_t x16) {
    if (x <= -GELU_SATURATION) return 0.0f;
    if (x >= GELU_SATURATION) return x;
    return ck_f16_to_f32(table[x16]);
}

void ck_gelu_mul_scalar(const float *gate, const float *up, int n, float *y) {
    const uint16_t *table = gelu_table();
    for (int i = 0; i < n; i++) {
        float x = gate[i];
        float g = gelu_lookup(table, x, ck_f32_to_f16(x));
        y[i] = x <= -GELU_SATURATION ? 0.0f : g * up[i];
    }
}

// The f16 conversion is vectorised; the lookups stay scalar (a gather is no faster here).
CK_AVX2 void ck_gelu_mul_avx2(const float *gate, const float *up, int n, float *y) {
    const uint16_t *table = gelu_table();
    int i = 0;
    uint16_t h[8];
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128((__m128i *)h, _mm256_cvtps_ph(_mm256_loadu_ps(gate + i), _MM_FROUND_TO_NEAREST_INT));
        for (int l = 0; l < 8; l++) {
            float x = gate[i + l];
            float g = gelu_lookup(table, x, h[l]);
            y[i + l] = x <= -GELU_SATURATION ? 0.0f : g * up[i + l];
        }
    }
    if (i < n) ck_gelu_mul_scalar(gate + i, up + i, n - i, y + i);
}
