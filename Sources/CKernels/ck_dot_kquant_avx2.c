// AVX2 row dot products for the K-quants (256-element super-blocks x Q8_K activations).
#include "ck_simd.h"

// Until the SIMD versions land, the K-quants use their scalar twins.
void ck_dot_rows_q4_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    ck_dot_rows_q4_K_scalar(n, nrows, w, rb, act, out);
}
void ck_dot_rows_q5_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    ck_dot_rows_q5_K_scalar(n, nrows, w, rb, act, out);
}
void ck_dot_rows_q6_K_avx2(int n, int nrows, const uint8_t *w, size_t rb, const void *act, float *out) {
    ck_dot_rows_q6_K_scalar(n, nrows, w, rb, act, out);
}
