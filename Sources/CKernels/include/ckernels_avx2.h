// AVX2 (+FMA) builds of a few of the lite engine's kernels, for CPUs without AVX-512. Every
// function but cs_avx2_usable() executes AVX2 instructions: call them only when cs_avx2_usable()
// returned 1 (ClearSIMD/AVX2Kernels.swift).
#ifndef CKERNELS_AVX2_H
#define CKERNELS_AVX2_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU (and OS) run AVX2 and FMA, else 0.
int cs_avx2_usable(void);

/// The background-plate kernels (plate_kernels.h; the same as cs_avx512_plate_record and
/// cs_avx512_plate_block_counts, bit for bit).
void cs_avx2_plate_record(size_t begin, size_t end, const uint8_t *src, const uint8_t *near, uint8_t *rgb, uint8_t *known,
                          uint8_t *anchor, uint8_t *run, int16_t *last, uint16_t *mean, int32_t *seen, int32_t *changed,
                          const int32_t *weights, int need, int tol, int hold_run, int limit, int moved, int32_t now);
void cs_avx2_plate_block_counts(const int32_t *blocks, size_t count, size_t bw, size_t b, size_t fw, size_t fh,
                                const uint8_t *frame, const uint8_t *plate, const uint8_t *near, const uint8_t *known, int tol,
                                const int32_t *changed, double earliest, int32_t *same_out, int32_t *n_out, int32_t *list,
                                int32_t *list_count);

/// A 3×3 convolution with 1 … CS_CONV_FEW_MAX_OUTPUTS output channels, stride 1, zero padding 1,
/// f32, of a channels-last image x [h, w, c] (c ≤ CS_CONV_FEW_MAX_CHANNELS) with a PyTorch-layout
/// weight [o, c, 3, 3] and bias [o], into the channels-last out [h, w, o]:
/// out[(y·w + x)·o + k] = bias[k] + Σ weight[((k·c + ch)·3 + dy)·3 + dx] · x[((y+dy−1)·w + (x+dx−1))·c + ch]
/// for the output rows [row_begin, row_end). Sums in its own order (not oneDNN's).
enum { CS_CONV_FEW_MAX_CHANNELS = 32, CS_CONV_FEW_MAX_OUTPUTS = 4 };
void cs_avx2_conv3x3_few(const float *x, size_t h, size_t w, size_t c, size_t o, const float *weight, const float *bias,
                         float *out, size_t row_begin, size_t row_end);

#endif
