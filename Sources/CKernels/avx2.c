// AVX2 builds of a few of the lite engine's kernels, for CPUs without AVX-512 (on those, the
// AVX-512 builds in avx512.c run instead): the background-plate kernels (plate_kernels.h, bit for
// bit the Swift loops of ClearLite/BackgroundPlate.swift) and 3×3 convolutions with one to four
// output channels (the occlusion head's last layer, 12 → 1, and the restoration network's, 16 → 3,
// where oneDNN's kernels, made for blocks of eight output channels, reach a tenth to a quarter of
// their speed; they match torch.nn.functional.conv2d(x, w, b, padding=1) up to the order of the
// sums). Each function carries a target attribute; Swift calls them only after cs_avx2_usable()
// (ClearSIMD/AVX2Kernels.swift).
#include "ckernels_avx2.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

int cs_avx2_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

#define PLATE_TARGET AVX2
#define PLATE_NAME(name) cs_avx2_##name
#include "plate_kernels.h"
#undef PLATE_TARGET
#undef PLATE_NAME

/// Weights per output and kernel row, in the order of the inputs they meet: wk[k][dy][dx·c + ch],
/// zero-padded to whole vectors.
typedef float conv_weights[CS_CONV_FEW_MAX_OUTPUTS][3][4 * CS_CONV_FEW_MAX_CHANNELS];

/// One output pixel away from the left and right edges, one output channel: for each kernel row in
/// the image, the 3·c contiguous inputs of columns x−1 … x+1 against that row's weights, eight lanes
/// at a time (the last vector loaded under `tail`), one accumulator per lane group.
static inline __attribute__((always_inline)) AVX2 float conv_one_pixel(const float *rows[3], size_t x, size_t c,
                                                                        const conv_weights wk, size_t nv, __m256i tail) {
    __m256 acc[12];
    for (size_t j = 0; j < nv; j++) acc[j] = _mm256_setzero_ps();
    for (int dy = 0; dy < 3; dy++) {
        if (!rows[dy]) continue;
        const float *p = rows[dy] + (x - 1) * c;
        for (size_t j = 0; j + 1 < nv; j++) acc[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8 * j), _mm256_loadu_ps(wk[0][dy] + 8 * j), acc[j]);
        const size_t l = nv - 1;
        acc[l] = _mm256_fmadd_ps(_mm256_maskload_ps(p + 8 * l, tail), _mm256_loadu_ps(wk[0][dy] + 8 * l), acc[l]);
    }
    for (size_t j = 1; j < nv; j++) acc[0] = _mm256_add_ps(acc[0], acc[j]);
    const __m128 q = _mm_add_ps(_mm256_castps256_ps128(acc[0]), _mm256_extractf128_ps(acc[0], 1));
    const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
    return _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
}

/// The same for `o` (2 … 4, a constant where it is inlined) output channels: each input vector is
/// loaded once for all of them, two accumulators per output.
static inline __attribute__((always_inline)) AVX2 void conv_few_pixel(const float *rows[3], size_t x, size_t c, int o,
                                                                       const conv_weights wk, size_t nv, __m256i tail,
                                                                       const float *bias, float *res) {
    __m256 acc[CS_CONV_FEW_MAX_OUTPUTS][2];
    for (int k = 0; k < o; k++) acc[k][0] = acc[k][1] = _mm256_setzero_ps();
    for (int dy = 0; dy < 3; dy++) {
        if (!rows[dy]) continue;
        const float *p = rows[dy] + (x - 1) * c;
        for (size_t j = 0; j < nv; j++) {
            const __m256 v = j + 1 < nv ? _mm256_loadu_ps(p + 8 * j) : _mm256_maskload_ps(p + 8 * j, tail);
            for (int k = 0; k < o; k++) acc[k][j & 1] = _mm256_fmadd_ps(v, _mm256_loadu_ps(wk[k][dy] + 8 * j), acc[k][j & 1]);
        }
    }
    for (int k = 0; k < o; k++) {
        const __m256 a = _mm256_add_ps(acc[k][0], acc[k][1]);
        const __m128 q = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
        res[k] = bias[k] + _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
    }
}

/// The same sums for a pixel in the first or last column, where a column of the kernel falls outside.
static void conv_few_edge(const float *rows[3], size_t x, size_t w, size_t c, int o, const conv_weights wk,
                          const float *bias, float *res) {
    for (int k = 0; k < o; k++) {
        float s = 0;
        for (int dy = 0; dy < 3; dy++) {
            if (!rows[dy]) continue;
            for (int dx = 0; dx < 3; dx++) {
                const long xx = (long)x + dx - 1;
                if (xx < 0 || xx >= (long)w) continue;
                for (size_t ch = 0; ch < c; ch++) s += rows[dy][(size_t)xx * c + ch] * wk[k][dy][dx * c + ch];
            }
        }
        res[k] = bias[k] + s;
    }
}

AVX2 void cs_avx2_conv3x3_few(const float *x, size_t h, size_t w, size_t c, size_t o, const float *weight, const float *bias,
                              float *out, size_t row_begin, size_t row_end) {
    if (c == 0 || c > CS_CONV_FEW_MAX_CHANNELS || o == 0 || o > CS_CONV_FEW_MAX_OUTPUTS) abort();
    conv_weights wk = {{{0}}};
    for (size_t k = 0; k < o; k++)
        for (size_t ch = 0; ch < c; ch++)
            for (int dy = 0; dy < 3; dy++)
                for (int dx = 0; dx < 3; dx++) wk[k][dy][dx * c + ch] = weight[((k * c + ch) * 3 + dy) * 3 + dx];
    const size_t len = 3 * c, nv = (len + 7) / 8, rem = len - 8 * (nv - 1);
    int32_t lanes[8];
    for (size_t k = 0; k < 8; k++) lanes[k] = k < rem ? -1 : 0;
    const __m256i tail = _mm256_loadu_si256((const __m256i *)lanes);
    for (size_t y = row_begin; y < row_end; y++) {
        const float *rows[3];
        for (int dy = 0; dy < 3; dy++) {
            const long yy = (long)y + dy - 1;
            rows[dy] = yy < 0 || yy >= (long)h ? NULL : x + (size_t)yy * w * c;
        }
        float *out_row = out + y * w * o;
        conv_few_edge(rows, 0, w, c, (int)o, wk, bias, out_row);
        for (size_t xx = 1; xx + 1 < w; xx++) {
            float *r = out_row + xx * o;
            switch (o) {
            case 1: r[0] = bias[0] + conv_one_pixel(rows, xx, c, wk, nv, tail); break;
            case 2: conv_few_pixel(rows, xx, c, 2, wk, nv, tail, bias, r); break;
            case 3: conv_few_pixel(rows, xx, c, 3, wk, nv, tail, bias, r); break;
            default: conv_few_pixel(rows, xx, c, 4, wk, nv, tail, bias, r); break;
            }
        }
        if (w > 1) conv_few_edge(rows, w - 1, w, c, (int)o, wk, bias, out_row + (w - 1) * o);
    }
}

#else  // other architectures: cs_avx2_usable() is 0, so nothing else is ever called
int cs_avx2_usable(void) { return 0; }
void cs_avx2_plate_record(size_t begin, size_t end, const uint8_t *src, const uint8_t *near, uint8_t *rgb, uint8_t *known,
                          uint8_t *anchor, uint8_t *run, int16_t *last, uint16_t *mean, int32_t *seen, int32_t *changed,
                          const int32_t *weights, int need, int tol, int hold_run, int limit, int moved, int32_t now) { abort(); }
void cs_avx2_plate_block_counts(const int32_t *blocks, size_t count, size_t bw, size_t b, size_t fw, size_t fh,
                                const uint8_t *frame, const uint8_t *plate, const uint8_t *near, const uint8_t *known, int tol,
                                const int32_t *changed, double earliest, int32_t *same_out, int32_t *n_out, int32_t *list,
                                int32_t *list_count) { abort(); }
void cs_avx2_conv3x3_few(const float *x, size_t h, size_t w, size_t c, size_t o, const float *weight, const float *bias,
                         float *out, size_t row_begin, size_t row_end) { abort(); }
#endif
