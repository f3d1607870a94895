// Rotary position embedding in place on x[tokens, heads, head_dim].
// Angles as ggml computes them: theta_0 = pos, theta_{i+1} = theta_i * powf(base, -2/head_dim)
// (a running float product, not a fresh pow per pair), cos/sin via libm in both backends.
#include "ck_simd.h"
#include <math.h>

#define ROPE_MODE_NEOX 2
// Pairs whose cos/sin are cached at once (on the stack); larger heads are done in chunks.
#define ROPE_CHUNK 256

typedef void (*rotate_fn)(float *head, const float *c, const float *s, int first, int count, int half, int neox);

static void rotate_scalar(float *head, const float *c, const float *s, int first, int count, int half, int neox) {
    for (int j = 0; j < count; j++) {
        int i = first + j;
        float *a = neox ? head + i : head + 2 * i;
        float *b = neox ? head + i + half : head + 2 * i + 1;
        float x0 = *a, x1 = *b;
        *a = fmaf(x0, c[j], -(x1 * s[j]));
        *b = fmaf(x0, s[j], x1 * c[j]);
    }
}

// The rotation is rounded as llama.cpp's CPU build computes it (GCC contracts x0*c - x1*s into
// fma(x0, c, -(x1*s)) and x0*s + x1*c into fma(x0, s, x1*c)); the scalar twin uses fmaf the same way.
CK_AVX2 static void rotate_avx2(float *head, const float *c, const float *s, int first, int count, int half, int neox) {
    int j = 0;
    if (neox) {
        for (; j + 8 <= count; j += 8) {
            float *a = head + first + j, *b = a + half;
            __m256 x0 = _mm256_loadu_ps(a), x1 = _mm256_loadu_ps(b);
            __m256 vc = _mm256_loadu_ps(c + j), vs = _mm256_loadu_ps(s + j);
            _mm256_storeu_ps(a, _mm256_fmsub_ps(x0, vc, _mm256_mul_ps(x1, vs)));
            _mm256_storeu_ps(b, _mm256_fmadd_ps(x0, vs, _mm256_mul_ps(x1, vc)));
        }
    } else {
        const __m256i dup = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
        for (; j + 4 <= count; j += 4) {
            float *p = head + 2 * (first + j);
            __m256 x = _mm256_loadu_ps(p);
            __m256 vc = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(c + j)), dup);
            __m256 vs = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(s + j)), dup);
            __m256 swapped = _mm256_permute_ps(x, 0xB1); // (x1, x0) per pair
            // even lanes (x = x0): fma(x0, c, -(x1*s)); odd lanes (x = x1): fma(x0, s, x1*c)
            __m256 even = _mm256_fmsub_ps(x, vc, _mm256_mul_ps(swapped, vs));
            __m256 odd = _mm256_fmadd_ps(swapped, vs, _mm256_mul_ps(x, vc));
            __m256 y = _mm256_blend_ps(even, odd, 0xAA);
            _mm256_storeu_ps(p, y);
        }
    }
    if (j < count) rotate_scalar(head, c + j, s + j, first + j, count - j, half, neox);
}

static void rope_impl(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode,
                      rotate_fn rotate) {
    int half = head_dim / 2;
    int neox = mode == ROPE_MODE_NEOX;
    float theta_scale = powf(base, -2.0f / (float)head_dim);
    float cs[ROPE_CHUNK], sn[ROPE_CHUNK];
    for (int t = 0; t < tokens; t++) {
        float theta = (float)positions[t];
        float *row = x + (size_t)t * heads * head_dim;
        for (int first = 0; first < half; first += ROPE_CHUNK) {
            int count = half - first < ROPE_CHUNK ? half - first : ROPE_CHUNK;
            for (int j = 0; j < count; j++) {
                cs[j] = cosf(theta);
                sn[j] = sinf(theta);
                theta *= theta_scale;
            }
            for (int h = 0; h < heads; h++) rotate(row + (size_t)h * head_dim, cs, sn, first, count, half, neox);
        }
    }
}

void ck_rope_scalar(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode) {
    rope_impl(x, tokens, heads, head_dim, positions, base, mode, rotate_scalar);
}

void ck_rope_avx2(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode) {
    rope_impl(x, tokens, heads, head_dim, positions, base, mode, rotate_avx2);
}

void ck_rope(float *x, int tokens, int heads, int head_dim, const int32_t *positions, float base, int mode) {
    if (ck_backend() == CK_BACKEND_AVX2) ck_rope_avx2(x, tokens, heads, head_dim, positions, base, mode);
    else ck_rope_scalar(x, tokens, heads, head_dim, positions, base, mode);
}
