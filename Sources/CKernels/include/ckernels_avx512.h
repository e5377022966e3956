// AVX-512 builds of clearsub's memory-bound kernels (ClearSIMD's PortableKernels.swift, same
// semantics). Every function but cs_avx512_usable() executes AVX-512 instructions: call them only
// when cs_avx512_usable() returned 1. Pointers are f32 when `bf16` is 0, else bf16 bit patterns.
#ifndef CKERNELS_AVX512_H
#define CKERNELS_AVX512_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU (and OS) run AVX-512 F/BW/VL/DQ, else 0.
int cs_avx512_usable(void);

/// Whether the bf16 outputs of the activations and of cs_avx512_scale_shift round with the
/// AVX512_BF16 instruction (when the CPU has it; the default) or with integer operations (the same
/// bits but for subnormals, which the instruction flushes to zero). Returns 1 when now in use.
/// For tests and benchmarks.
int cs_avx512_allow_bf16_instructions(int allow);

/// Activation kinds of cs_avx512_activation.
enum { CS_SILU = 0, CS_SIGMOID = 1, CS_RELU = 2, CS_GELU_TANH = 3 };

/// dst[i] = act(src[i]) for i in [begin, end).
void cs_avx512_activation(int kind, const void *src, void *dst, int bf16, size_t begin, size_t end);

/// Softmax of the rows [row_begin, row_end) of contiguous rows of `cols` elements.
void cs_avx512_softmax_rows(const void *src, void *dst, int bf16, size_t cols, size_t row_begin, size_t row_end);

/// RMSNorm of rows [row_begin, row_end): x·rsqrt(mean(x²)+eps), rounded to bf16 first when
/// round_before_weight, times weight (f32, may be NULL).
void cs_avx512_rms_norm_rows(const void *src, void *dst, int bf16, const float *weight, size_t cols, float eps,
                             int round_before_weight, size_t row_begin, size_t row_end);

/// Mean and 1/sqrt(biased var + eps) of src[base ..< base+count].
void cs_avx512_mean_inv_std(const void *src, int bf16, size_t base, size_t count, float eps, float *mean, float *inv_std);

/// dst = src·scale + shift over [base, base+count).
void cs_avx512_scale_shift(const void *src, void *dst, int bf16, size_t base, size_t count, float scale, float shift);

/// Binary kinds of cs_avx512_binary_row.
enum { CS_ADD = 0, CS_SUB = 1, CS_MUL = 2 };

/// o[oo + i] = a[oa + i·ia] ∘ b[ob + i·ib], i < n, ia and ib ∈ {0, 1}; a, b, o each f32 or bf16.
void cs_avx512_binary_row(int kind, const void *a, int a_bf16, size_t oa, int ia, const void *b, int b_bf16, size_t ob, int ib,
                          void *o, int o_bf16, size_t oo, size_t n);

/// dst[i] = bf16(src[i]) (round to nearest even, NaN kept quiet), i < n.
void cs_avx512_f32_to_bf16(const float *src, uint16_t *dst, size_t n);

/// Transposes a rows × cols block of 4- or 2-byte elements: dst[j·dst_row_stride + i] =
/// src[i·src_row_stride + j] for i < rows, j < cols (strides in elements).
void cs_avx512_transpose(const void *src, size_t src_row_stride, void *dst, size_t dst_row_stride,
                         size_t rows, size_t cols, int element_size);
/// One step of the lite engine's background plate for pixels [begin, end) (ClearLite's
/// BackgroundPlate.record with its running mean; same result bit for bit): src is RGB, near is 1
/// beside the subtitle; rgb/known/anchor/run/last/mean are the plate's arrays, seen/changed the
/// freshness rule's (both NULL when it is off); weights[n] is the running mean's weight for a run
/// of n frames in 1/65536.
void cs_avx512_plate_record(size_t begin, size_t end, const uint8_t *src, const uint8_t *near, uint8_t *rgb, uint8_t *known,
                            uint8_t *anchor, uint8_t *run, int16_t *last, uint16_t *mean, int32_t *seen, int32_t *changed,
                            const int32_t *weights, int need, int tol, int hold_run, int limit, int moved, int32_t now);

/// The pixel pass of the lite engine's scenery test (ClearLite's BackgroundPlate.matchingBlocks; the
/// same counts bit for bit) for `count` blocks, each blocks[j] of a bw-wide grid of b×b blocks
/// clipped to fw×fh: n_out[j] the pixels with near 0 and known 1, same_out[j] those of them whose
/// luma is within tol of the plate's; when changed is not NULL, list[j·b·b ..< +list_count[j]] their
/// changed frames later than `earliest`, in scan order.
void cs_avx512_plate_block_counts(const int32_t *blocks, size_t count, size_t bw, size_t b, size_t fw, size_t fh,
                                  const uint8_t *frame, const uint8_t *plate, const uint8_t *near, const uint8_t *known, int tol,
                                  const int32_t *changed, double earliest, int32_t *same_out, int32_t *n_out, int32_t *list,
                                  int32_t *list_count);

#endif
