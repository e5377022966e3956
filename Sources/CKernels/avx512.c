// AVX-512 builds of clearsub's memory-bound kernels. Same algorithms, constants and operation
// order as ClearSIMD's Swift kernels (PortableKernels.swift, VectorMath.swift): Cephes expf range
// reduction and polynomial, bf16 round-to-nearest-even with NaN kept quiet, the shifted one-pass
// group statistics, bf16 handled in the same shuffle-free "split" lane order. Differences: exp
// and the activations use fused multiply-adds and a Newton-refined reciprocal instead of a
// division (results within a few ulp of the Swift kernels; bf16 outputs rarely one bf16 step
// apart), the group-norm affine step is fused, and row reductions sum in another order. SiLU,
// sigmoid and tanh-GELU with bf16 outputs take a shorter exp (`vexp_bf16`), and on CPUs with
// AVX512_BF16 these and the bf16 scale-shift round with VCVTNEPS2BF16 (the same bits except that
// subnormals flush to zero). Binary ops and bf16 rounding (cs_avx512_f32_to_bf16) are computed
// operation for operation without contraction, bit for bit. Two kernels are not ClearSIMD's: the
// lite engine's background-plate step and its scenery test's pixel pass (cs_avx512_plate_record,
// cs_avx512_plate_block_counts), built here from plate_kernels.h, which avx2.c builds for AVX2 too.
// Written in C because Swift cannot compile one function for a wider instruction set than its
// module: each function carries a target attribute, and Swift calls them only after
// cs_avx512_usable() (ClearSIMD/AVX512Kernels.swift).
#include "ckernels_avx512.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>

#pragma STDC FP_CONTRACT OFF

#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define INLINE static inline __attribute__((always_inline)) AVX512
/// The same plus AVX512_BF16 (VCVTNEPS2BF16: f32 -> bf16 round-to-nearest-even in one instruction).
#define AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma,avx512bf16")))
#define INLINE_BF16 static inline __attribute__((always_inline)) AVX512BF16

int cs_avx512_usable(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

/// 1 when the CPU also has AVX512_BF16 and cs_avx512_allow_bf16_instructions did not turn it off;
/// read once (relaxed atomics: every thread computes the same value).
static int bf16_instructions = -1;  // -1: not yet read, 0: off, 1: on

int cs_avx512_allow_bf16_instructions(int allow) {
    __builtin_cpu_init();
    int c = allow && cs_avx512_usable() && __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    __atomic_store_n(&bf16_instructions, c, __ATOMIC_RELAXED);
    return c;
}

static int has_bf16_instructions(void) {
    int c = __atomic_load_n(&bf16_instructions, __ATOMIC_RELAXED);
    return c >= 0 ? c : cs_avx512_allow_bf16_instructions(1);
}

// MARK: loads and stores (f32 or bf16, full or masked)

INLINE __mmask16 tail_mask(size_t k) { return (__mmask16)((1u << k) - 1u); }

INLINE __m512 widen(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }

INLINE __m512 load(const void *p, int bf16, size_t i) {
    if (bf16) return widen(_mm256_loadu_si256((const __m256i *)((const uint16_t *)p + i)));
    return _mm512_loadu_ps((const float *)p + i);
}
INLINE __m512 load_masked(const void *p, int bf16, size_t i, __mmask16 m) {
    if (bf16) return widen(_mm256_maskz_loadu_epi16(m, (const uint16_t *)p + i));
    return _mm512_maskz_loadu_ps(m, (const float *)p + i);
}

/// f32 bit patterns rounded to bf16 (RNE) in the top half; NaN made quiet.
INLINE __m512i rounded_bits(__m512 v) {
    __m512i b = _mm512_castps_si512(v);
    __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(b, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_and_si512(_mm512_add_epi32(b, _mm512_add_epi32(_mm512_set1_epi32(0x7FFF), lsb)), _mm512_set1_epi32((int)0xFFFF0000u));
    __m512i quiet = _mm512_or_si512(_mm512_and_si512(b, _mm512_set1_epi32((int)0xFFFF0000u)), _mm512_set1_epi32(0x00400000));
    __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    return _mm512_mask_mov_epi32(r, nan, quiet);
}
INLINE __m512 round_bf16(__m512 v) { return _mm512_castsi512_ps(rounded_bits(v)); }
INLINE __m256i narrow(__m512 v) { return _mm512_cvtepi32_epi16(_mm512_srli_epi32(rounded_bits(v), 16)); }

INLINE void store(void *p, int bf16, size_t i, __m512 v) {
    if (bf16) _mm256_storeu_si256((__m256i *)((uint16_t *)p + i), narrow(v));
    else _mm512_storeu_ps((float *)p + i, v);
}
INLINE void store_masked(void *p, int bf16, size_t i, __m512 v, __mmask16 m) {
    if (bf16) _mm256_mask_storeu_epi16((uint16_t *)p + i, m, narrow(v));
    else _mm512_mask_storeu_ps((float *)p + i, m, v);
}
INLINE float scalar(const void *p, int bf16, size_t i) {
    if (bf16) { uint32_t w = (uint32_t)((const uint16_t *)p)[i] << 16; float f; __builtin_memcpy(&f, &w, 4); return f; }
    return ((const float *)p)[i];
}

// bf16 in blocks of 32 elements, "split" lane order (as VMath.loadSplit in Swift): one 64-byte
// load gives the even elements (low halves shifted up) and the odd ones (high halves masked), and
// the store puts them back, so bf16 <-> f32 costs no shuffle. Masked forms take the first k < 32.

INLINE __mmask32 tail_mask32(size_t k) { return (__mmask32)((1u << k) - 1u); }
INLINE __mmask16 even_mask(size_t k) { return tail_mask((k + 1) / 2); }  // lanes holding elements < k
INLINE __mmask16 odd_mask(size_t k) { return tail_mask(k / 2); }

INLINE void split_from(__m512i x, __m512 *ev, __m512 *od) {
    *ev = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
    *od = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32((int)0xFFFF0000u)));
}
INLINE void load_split(const void *p, size_t i, __m512 *ev, __m512 *od) {
    split_from(_mm512_loadu_si512((const uint16_t *)p + i), ev, od);
}
INLINE void load_split_masked(const void *p, size_t i, size_t k, __m512 *ev, __m512 *od) {
    split_from(_mm512_maskz_loadu_epi16(tail_mask32(k), (const uint16_t *)p + i), ev, od);
}
INLINE __m512i join(__m512 ev, __m512 od) {
    return _mm512_or_si512(_mm512_srli_epi32(rounded_bits(ev), 16), rounded_bits(od));
}
INLINE void store_split(void *p, size_t i, __m512 ev, __m512 od) { _mm512_storeu_si512((uint16_t *)p + i, join(ev, od)); }
INLINE void store_split_masked(void *p, size_t i, size_t k, __m512 ev, __m512 od) {
    _mm512_mask_storeu_epi16((uint16_t *)p + i, tail_mask32(k), join(ev, od));
}
/// 32 f32 values from p (the first k if k < 32, zeros after) as even / odd lanes.
INLINE void load_f32_split(const float *p, size_t k, __m512 *ev, __m512 *od) {
    __m512 a = k >= 16 ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(tail_mask(k), p);
    __m512 b = k >= 32 ? _mm512_loadu_ps(p + 16) : k > 16 ? _mm512_maskz_loadu_ps(tail_mask(k - 16), p + 16) : _mm512_setzero_ps();
    const __m512i ie = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i io = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    *ev = _mm512_permutex2var_ps(a, ie, b);
    *od = _mm512_permutex2var_ps(a, io, b);
}

// MARK: math

#define SPLAT(x) _mm512_set1_ps((float)(x))
#define ADD _mm512_add_ps
#define MUL _mm512_mul_ps
#define SUB _mm512_sub_ps

/// c[0]·r^(n−1) + … + c[n−1] by Horner's rule with fused multiply-adds (c[0] first).
INLINE __m512 horner(__m512 r, const float *c, int n) {
    __m512 p = SPLAT(c[0]);
    for (int k = 1; k < n; k++) p = _mm512_fmadd_ps(p, r, SPLAT(c[k]));
    return p;
}

/// e^x; x clamped to [-87.3, 88.3]; NaN lanes propagate (VMath.exp's algorithm and constants,
/// with fused multiply-adds: within 1 ulp of the Swift kernel, which has no FMA on its baseline).
INLINE __m512 vexp(__m512 v) {
    __m512 x = _mm512_max_ps(_mm512_min_ps(v, SPLAT(88.3f)), SPLAT(-87.3f));
    const __m512 magic = SPLAT(12582912.0f);
    __m512 t = _mm512_fmadd_ps(x, SPLAT(1.44269504f), magic);
    __m512 n = SUB(t, magic);
    __m512 r = _mm512_fnmadd_ps(n, SPLAT(0.693359375f), x);
    r = _mm512_fmadd_ps(n, SPLAT(2.1219444e-4f), r);
    __m512 z = MUL(r, r);
    static const float c[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
    __m512 p = horner(r, c, 6);
    __m512 y = ADD(_mm512_fmadd_ps(p, z, r), SPLAT(1.0f));
    __m512i ni = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000));
    __m512 pow2 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(ni, _mm512_set1_epi32(127)), 23));
    __m512 out = MUL(y, pow2);
    return _mm512_mask_mov_ps(out, _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v);
}

/// 1 / d for d ≥ 1 (the activations' denominators): rcp14 and one Newton step, ≤ 2 ulp.
INLINE __m512 recip(__m512 d) {
    __m512 r = _mm512_rcp14_ps(d);
    return MUL(r, _mm512_fnmadd_ps(d, r, SPLAT(2.0f)));
}

/// e^x for activations rounded to bf16: x·log2(e) split into n + r (|r| ≤ ½), 2^r by its degree-6
/// Taylor polynomial (relative error < 3e-8 on |r| ≤ ½, far below bf16's 2^-9), scaled by 2^n
/// with VSCALEFPS. Clamped to [-87.3, 88.3] as `vexp`, with the operands ordered so that NaN lanes
/// pass through. About two thirds of `vexp`'s instructions; f32 outputs keep `vexp` (training
/// numerics stay as they were). In a C prototype of this exp (minimax-like coefficients in place of
/// the Taylor ones, no clamp), 50 M random bf16 inputs in [-10, 10] through tanh-GELU gave bf16
/// outputs identical to `vexp`'s.
INLINE __m512 vexp_bf16(__m512 v) {
    __m512 x = _mm512_max_ps(SPLAT(-87.3f), _mm512_min_ps(SPLAT(88.3f), v));
    __m512 t = MUL(x, SPLAT(1.44269504088896341f));
    __m512 n = _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = SUB(t, n);
    static const float c[7] = {1.5403530393381609e-4f, 1.3333558146428443e-3f, 9.6181291076284772e-3f, 5.5504108664821580e-2f,
                               2.4022650695910071e-1f, 6.9314718055994531e-1f, 1.0f};   // (ln 2)^k / k!, k = 6 … 0
    return _mm512_scalef_ps(horner(r, c, 7), n);
}

/// The activation `kind` of v; `for_bf16`: its output is rounded to bf16, so e^x may be `vexp_bf16`.
INLINE __m512 act(int kind, __m512 v, int for_bf16) {
    const __m512 one = SPLAT(1.0f);
#define EXP(x) (for_bf16 ? vexp_bf16(x) : vexp(x))
    switch (kind) {
    case CS_SILU: return MUL(v, recip(ADD(one, EXP(SUB(_mm512_setzero_ps(), v)))));
    case CS_SIGMOID: return recip(ADD(one, EXP(SUB(_mm512_setzero_ps(), v))));
    case CS_RELU: return _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), _mm512_setzero_ps());
    default: {  // tanh-GELU: x / (1 + e^(−2u)), u = √(2/π)·(x + 0.044715·x³)
        __m512 u2 = MUL(_mm512_fmadd_ps(MUL(SPLAT(0.044715f), MUL(v, v)), v, v), SPLAT(-1.5957691216057307f));
        return MUL(v, recip(ADD(one, EXP(u2))));
    }
    }
#undef EXP
}

/// `join` with VCVTNEPS2BF16 doing the rounding: the same bits as `rounded_bits` (RNE, NaN made
/// quiet) except that it flushes f32 subnormals (|x| < 1.2e-38) to zero.
INLINE_BF16 __m512i join_native(__m512 ev, __m512 od) {
    __m512i e = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(ev));
    __m512i o = _mm512_slli_epi32(_mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(od)), 16);
    return _mm512_or_si512(e, o);
}

/// dst[i] = F(src[i]) for bf16 src and dst, i in [begin, end), 32 elements at a time in the split
/// lane order; F is a function-like macro of one __m512, JOIN rounds and packs (`join` or
/// `join_native`). Expands inside a function that has `src`, `dst`, `begin` and `end`.
#define BF16_MAP(JOIN, F) do { \
    size_t i_ = begin; \
    __m512 ev_, od_; \
    for (; i_ + 32 <= end; i_ += 32) { \
        load_split(src, i_, &ev_, &od_); \
        _mm512_storeu_si512((uint16_t *)dst + i_, JOIN(F(ev_), F(od_))); \
    } \
    if (i_ < end) { \
        load_split_masked(src, i_, end - i_, &ev_, &od_); \
        _mm512_mask_storeu_epi16((uint16_t *)dst + i_, tail_mask32(end - i_), JOIN(F(ev_), F(od_))); \
    } \
} while (0)

// MARK: kernels (bodies take the dtype flags as constants; the entry points dispatch)

INLINE void activation_body(int kind, const void *src, void *dst, int bf16, size_t begin, size_t end) {
#define ACT_EXACT(x) act(kind, x, 0)
    if (bf16) { BF16_MAP(join, ACT_EXACT); return; }
#undef ACT_EXACT
    size_t i = begin;
    for (; i + 16 <= end; i += 16) store(dst, bf16, i, act(kind, load(src, bf16, i), 0));
    if (i < end) { __mmask16 m = tail_mask(end - i); store_masked(dst, bf16, i, act(kind, load_masked(src, bf16, i, m), 0), m); }
}

/// SiLU, sigmoid and tanh-GELU into bf16: `vexp_bf16`, and the rounding in one instruction when
/// the CPU has AVX512_BF16 (`native`). tanh-GELU on [32760, 1536] bf16: 14.7 -> 9.3 ms on two
/// cores (BENCHMARKS.md).
#define ACT_BF16(x) act(kind, x, 1)
INLINE_BF16 void activation_bf16_native_body(int kind, const void *src, void *dst, size_t begin, size_t end) { BF16_MAP(join_native, ACT_BF16); }
INLINE void activation_bf16_plain_body(int kind, const void *src, void *dst, size_t begin, size_t end) { BF16_MAP(join, ACT_BF16); }
#undef ACT_BF16
// one entry per target (the bodies inline only into a function of the same target), each with the
// kind as a constant
#define ACTIVATION_BF16_ENTRY(NAME, TARGET, BODY) \
    TARGET static void NAME(int kind, const void *src, void *dst, size_t begin, size_t end) { \
        switch (kind) { \
        case CS_SILU: BODY(CS_SILU, src, dst, begin, end); break; \
        case CS_SIGMOID: BODY(CS_SIGMOID, src, dst, begin, end); break; \
        default: BODY(CS_GELU_TANH, src, dst, begin, end); break; \
        } \
    }
ACTIVATION_BF16_ENTRY(activation_bf16_native, AVX512BF16, activation_bf16_native_body)
ACTIVATION_BF16_ENTRY(activation_bf16_plain, AVX512, activation_bf16_plain_body)
#undef ACTIVATION_BF16_ENTRY

AVX512 void cs_avx512_activation(int kind, const void *src, void *dst, int bf16, size_t begin, size_t end) {
    if (bf16 && kind != CS_RELU) {
        if (has_bf16_instructions()) activation_bf16_native(kind, src, dst, begin, end);
        else activation_bf16_plain(kind, src, dst, begin, end);
        return;
    }
#define ACT(K) (bf16 ? activation_body(K, src, dst, 1, begin, end) : activation_body(K, src, dst, 0, begin, end))
    switch (kind) {
    case CS_SILU: ACT(CS_SILU); break;
    case CS_SIGMOID: ACT(CS_SIGMOID); break;
    case CS_RELU: ACT(CS_RELU); break;
    default: ACT(CS_GELU_TANH); break;
    }
#undef ACT
}

INLINE void softmax_body(const void *src, void *dst, int bf16, size_t c, size_t r0, size_t r1, float *buf) {
    for (size_t r = r0; r < r1; r++) {
        size_t base = r * c, i = 0;
        __m512 mv = SPLAT(-INFINITY), sv = _mm512_setzero_ps(), ev, od;
        float m, sum;
        if (bf16) {  // split blocks of 32; buf holds each block's even then odd lanes
            for (; i + 32 <= c; i += 32) {
                load_split(src, base + i, &ev, &od);
                mv = _mm512_mask_mov_ps(mv, _mm512_cmp_ps_mask(ev, mv, _CMP_GT_OQ), ev);
                mv = _mm512_mask_mov_ps(mv, _mm512_cmp_ps_mask(od, mv, _CMP_GT_OQ), od);
            }
            size_t k = c - i;
            if (k) {
                load_split_masked(src, base + i, k, &ev, &od);
                mv = _mm512_mask_mov_ps(mv, _mm512_mask_cmp_ps_mask(even_mask(k), ev, mv, _CMP_GT_OQ), ev);
                mv = _mm512_mask_mov_ps(mv, _mm512_mask_cmp_ps_mask(odd_mask(k), od, mv, _CMP_GT_OQ), od);
            }
            m = _mm512_reduce_max_ps(mv);
            __m512 mvec = _mm512_set1_ps(m);
            for (i = 0; i + 32 <= c; i += 32) {
                load_split(src, base + i, &ev, &od);
                __m512 e1 = vexp(SUB(ev, mvec)), e2 = vexp(SUB(od, mvec));
                _mm512_storeu_ps(buf + i, e1); _mm512_storeu_ps(buf + i + 16, e2);
                sv = ADD(sv, ADD(e1, e2));
            }
            if (k) {
                load_split_masked(src, base + i, k, &ev, &od);
                __m512 e1 = _mm512_maskz_mov_ps(even_mask(k), vexp(SUB(ev, mvec))), e2 = _mm512_maskz_mov_ps(odd_mask(k), vexp(SUB(od, mvec)));
                _mm512_storeu_ps(buf + i, e1); _mm512_storeu_ps(buf + i + 16, e2);
                sv = ADD(sv, ADD(e1, e2));
            }
            sum = _mm512_reduce_add_ps(sv);
            __m512 inv = _mm512_set1_ps(1.0f / sum);
            for (i = 0; i + 32 <= c; i += 32) store_split(dst, base + i, MUL(_mm512_loadu_ps(buf + i), inv), MUL(_mm512_loadu_ps(buf + i + 16), inv));
            if (k) store_split_masked(dst, base + i, k, MUL(_mm512_loadu_ps(buf + i), inv), MUL(_mm512_loadu_ps(buf + i + 16), inv));
            continue;
        }
        for (; i + 16 <= c; i += 16) {
            __m512 v = load(src, bf16, base + i);
            mv = _mm512_mask_mov_ps(mv, _mm512_cmp_ps_mask(v, mv, _CMP_GT_OQ), v);
        }
        m = _mm512_reduce_max_ps(mv);
        for (; i < c; i++) { float s = scalar(src, bf16, base + i); if (s > m) m = s; }
        __m512 mvec = _mm512_set1_ps(m);
        for (i = 0; i + 16 <= c; i += 16) {
            __m512 e = vexp(SUB(load(src, bf16, base + i), mvec));
            _mm512_storeu_ps(buf + i, e); sv = ADD(sv, e);
        }
        sum = _mm512_reduce_add_ps(sv);
        if (i < c) {
            __mmask16 k = tail_mask(c - i);
            __m512 e = vexp(SUB(load_masked(src, bf16, base + i, k), mvec));
            _mm512_mask_storeu_ps(buf + i, k, e);
            sum += _mm512_reduce_add_ps(_mm512_maskz_mov_ps(k, e));
        }
        __m512 inv = _mm512_set1_ps(1.0f / sum);
        for (i = 0; i + 16 <= c; i += 16) store(dst, bf16, base + i, MUL(_mm512_loadu_ps(buf + i), inv));
        if (i < c) { __mmask16 k = tail_mask(c - i); store_masked(dst, bf16, base + i, MUL(_mm512_maskz_loadu_ps(k, buf + i), inv), k); }
    }
}

AVX512 void cs_avx512_softmax_rows(const void *src, void *dst, int bf16, size_t cols, size_t row_begin, size_t row_end) {
    float *buf = (float *)malloc((cols + 32) * sizeof(float));
    if (!buf) abort();
    if (bf16) softmax_body(src, dst, 1, cols, row_begin, row_end, buf);
    else softmax_body(src, dst, 0, cols, row_begin, row_end, buf);
    free(buf);
}

INLINE void rms_body(const void *src, void *dst, int bf16, const float *w, size_t c, float eps, int round_w, size_t r0, size_t r1) {
    for (size_t r = r0; r < r1; r++) {
        size_t base = r * c, i = 0;
        __m512 acc = _mm512_setzero_ps(), ev, od;
        if (bf16) {
            for (; i + 32 <= c; i += 32) { load_split(src, base + i, &ev, &od); acc = ADD(acc, MUL(ev, ev)); acc = ADD(acc, MUL(od, od)); }
            if (i < c) { load_split_masked(src, base + i, c - i, &ev, &od); acc = ADD(acc, MUL(ev, ev)); acc = ADD(acc, MUL(od, od)); }
        } else {
            for (; i + 16 <= c; i += 16) { __m512 v = load(src, bf16, base + i); acc = ADD(acc, MUL(v, v)); }
            if (i < c) { __m512 v = load_masked(src, bf16, base + i, tail_mask(c - i)); acc = ADD(acc, MUL(v, v)); }
        }
        __m512 inv = _mm512_set1_ps((float)(1.0 / sqrt((double)_mm512_reduce_add_ps(acc) / (double)c + (double)eps)));
        if (bf16) {
            for (i = 0; i < c; i += 32) {
                size_t k = c - i < 32 ? c - i : 32;
                if (k == 32) load_split(src, base + i, &ev, &od); else load_split_masked(src, base + i, k, &ev, &od);
                __m512 ye = MUL(ev, inv), yo = MUL(od, inv);
                if (w) {
                    __m512 we, wo;
                    load_f32_split(w + i, k, &we, &wo);
                    if (round_w) { ye = round_bf16(ye); yo = round_bf16(yo); }
                    ye = MUL(ye, we); yo = MUL(yo, wo);
                }
                if (k == 32) store_split(dst, base + i, ye, yo); else store_split_masked(dst, base + i, k, ye, yo);
            }
            continue;
        }
        for (i = 0; i + 16 <= c; i += 16) {
            __m512 y = MUL(load(src, bf16, base + i), inv);
            if (w) { if (round_w) y = round_bf16(y); y = MUL(y, _mm512_loadu_ps(w + i)); }
            store(dst, bf16, base + i, y);
        }
        if (i < c) {
            __mmask16 k = tail_mask(c - i);
            __m512 y = MUL(load_masked(src, bf16, base + i, k), inv);
            if (w) { if (round_w) y = round_bf16(y); y = MUL(y, _mm512_maskz_loadu_ps(k, w + i)); }
            store_masked(dst, bf16, base + i, y, k);
        }
    }
}

AVX512 void cs_avx512_rms_norm_rows(const void *src, void *dst, int bf16, const float *weight, size_t cols, float eps,
                                    int round_before_weight, size_t row_begin, size_t row_end) {
    if (bf16) rms_body(src, dst, 1, weight, cols, eps, round_before_weight, row_begin, row_end);
    else rms_body(src, dst, 0, weight, cols, eps, round_before_weight, row_begin, row_end);
}

INLINE void moments_body(const void *src, int bf16, size_t base, size_t per, float eps, float *mean, float *inv_std) {
    float shift = scalar(src, bf16, base);
    __m512 sv = _mm512_set1_ps(shift);
    double s1 = 0, s2 = 0;
    size_t i = 0;
    while (i < per) {
        size_t end = per < i + 4096 ? per : i + 4096;
        __m512 a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps();
        if (bf16) {
            __m512 ev, od;
            for (; i + 32 <= end; i += 32) {
                load_split(src, base + i, &ev, &od);
                __m512 de = SUB(ev, sv), dd = SUB(od, sv);
                a1 = ADD(a1, ADD(de, dd)); a2 = ADD(a2, ADD(MUL(de, de), MUL(dd, dd)));
            }
            if (i < end) {
                size_t k = end - i;
                load_split_masked(src, base + i, k, &ev, &od);
                __m512 de = _mm512_maskz_sub_ps(even_mask(k), ev, sv), dd = _mm512_maskz_sub_ps(odd_mask(k), od, sv);
                a1 = ADD(a1, ADD(de, dd)); a2 = ADD(a2, ADD(MUL(de, de), MUL(dd, dd))); i = end;
            }
        }
        for (; i + 16 <= end; i += 16) { __m512 d = SUB(load(src, bf16, base + i), sv); a1 = ADD(a1, d); a2 = ADD(a2, MUL(d, d)); }
        if (i < end) {
            __mmask16 k = tail_mask(end - i);
            __m512 d = _mm512_maskz_sub_ps(k, load_masked(src, bf16, base + i, k), sv);
            a1 = ADD(a1, d); a2 = ADD(a2, MUL(d, d)); i = end;
        }
        s1 += (double)_mm512_reduce_add_ps(a1); s2 += (double)_mm512_reduce_add_ps(a2);
    }
    double m = (double)(per > 0 ? per : 1), d1 = s1 / m, var = s2 / m - d1 * d1;
    *mean = (float)((double)shift + d1);
    *inv_std = (float)(1.0 / sqrt((var > 0 ? var : 0) + (double)eps));
}

AVX512 void cs_avx512_mean_inv_std(const void *src, int bf16, size_t base, size_t count, float eps, float *mean, float *inv_std) {
    if (bf16) moments_body(src, 1, base, count, eps, mean, inv_std);
    else moments_body(src, 0, base, count, eps, mean, inv_std);
}

#define AFFINE(x) _mm512_fmadd_ps(x, av, bv)
INLINE void scale_shift_body(const void *src, void *dst, int bf16, size_t base, size_t count, float a, float b) {
    __m512 av = _mm512_set1_ps(a), bv = _mm512_set1_ps(b);
    size_t begin = base, end = base + count, i = begin;
    if (bf16) { BF16_MAP(join, AFFINE); return; }
    for (; i + 16 <= end; i += 16) store(dst, bf16, i, _mm512_fmadd_ps(load(src, bf16, i), av, bv));
    if (i < end) { __mmask16 k = tail_mask(end - i); store_masked(dst, bf16, i, _mm512_fmadd_ps(load_masked(src, bf16, i, k), av, bv), k); }
}

/// The bf16 body with the rounding in one instruction (AVX512_BF16; see `join_native`).
AVX512BF16 static void scale_shift_bf16_native(const void *src, void *dst, size_t base, size_t count, float a, float b) {
    __m512 av = _mm512_set1_ps(a), bv = _mm512_set1_ps(b);
    size_t begin = base, end = base + count;
    BF16_MAP(join_native, AFFINE);
}
#undef AFFINE

AVX512 void cs_avx512_scale_shift(const void *src, void *dst, int bf16, size_t base, size_t count, float scale, float shift) {
    if (bf16 && has_bf16_instructions()) scale_shift_bf16_native(src, dst, base, count, scale, shift);
    else if (bf16) scale_shift_body(src, dst, 1, base, count, scale, shift);
    else scale_shift_body(src, dst, 0, base, count, scale, shift);
}

INLINE __m512 binop(int kind, __m512 x, __m512 y) {
    return kind == CS_ADD ? ADD(x, y) : kind == CS_SUB ? SUB(x, y) : MUL(x, y);
}

AVX512 void cs_avx512_binary_row(int kind, const void *a, int a_bf16, size_t oa, int ia, const void *b, int b_bf16, size_t ob, int ib,
                                 void *o, int o_bf16, size_t oo, size_t n) {
    __m512 sa = _mm512_set1_ps(scalar(a, a_bf16, oa)), sb = _mm512_set1_ps(scalar(b, b_bf16, ob));
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 x = ia ? load(a, a_bf16, oa + i) : sa, y = ib ? load(b, b_bf16, ob + i) : sb;
        store(o, o_bf16, oo + i, binop(kind, x, y));
    }
    if (i < n) {
        __mmask16 k = tail_mask(n - i);
        __m512 x = ia ? load_masked(a, a_bf16, oa + i, k) : sa, y = ib ? load_masked(b, b_bf16, ob + i, k) : sb;
        store_masked(o, o_bf16, oo + i, binop(kind, x, y), k);
    }
}

AVX512 void cs_avx512_f32_to_bf16(const float *src, uint16_t *dst, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) _mm256_storeu_si256((__m256i *)(dst + i), narrow(_mm512_loadu_ps(src + i)));
    if (i < n) {
        __mmask16 k = tail_mask(n - i);
        _mm256_mask_storeu_epi16(dst + i, k, narrow(_mm512_maskz_loadu_ps(k, src + i)));
    }
}

// MARK: transpose (the channels-first <-> channels-last conversions of the convolutions)

// 16×16 tile of 4-byte elements: rows r[0..15] in, columns out (r[j] becomes column j). Lanes of
// 4 elements: unpack pairs of rows, then pairs of pairs, then two rounds of 128-bit lane shuffles.
INLINE void transpose16x16_32(__m512 r[16]) {
    __m512 t[16], u[16];
    for (int k = 0; k < 8; k++) {
        t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
    for (int g = 0; g < 4; g++) {  // u[4g + c]: in lane L, rows 4g…4g+3 of column 4L + c
        __m512d a = _mm512_castps_pd(t[4 * g]), b = _mm512_castps_pd(t[4 * g + 1]);
        __m512d c = _mm512_castps_pd(t[4 * g + 2]), d = _mm512_castps_pd(t[4 * g + 3]);
        u[4 * g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        u[4 * g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        u[4 * g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        u[4 * g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int c = 0; c < 4; c++) {
        __m512 vlo = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88), vhi = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
        __m512 wlo = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88), whi = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
        r[c] = _mm512_shuffle_f32x4(vlo, wlo, 0x88);       // column c
        r[8 + c] = _mm512_shuffle_f32x4(vlo, wlo, 0xDD);   // column 8 + c
        r[4 + c] = _mm512_shuffle_f32x4(vhi, whi, 0x88);   // column 4 + c
        r[12 + c] = _mm512_shuffle_f32x4(vhi, whi, 0xDD);  // column 12 + c
    }
}

// 16×16 tile of 2-byte elements in 256-bit rows: 16-, 32- and 64-bit unpacks within each
// 128-bit lane, then the two lanes are exchanged.
INLINE void transpose16x16_16(__m256i r[16]) {
    __m256i a[16], b[16], c[16];
    for (int k = 0; k < 8; k++) {  // a[2k]: lane l holds rows 2k, 2k+1 interleaved, elements 8l+0…3; a[2k+1]: 8l+4…7
        a[2 * k] = _mm256_unpacklo_epi16(r[2 * k], r[2 * k + 1]);
        a[2 * k + 1] = _mm256_unpackhi_epi16(r[2 * k], r[2 * k + 1]);
    }
    for (int g = 0; g < 4; g++) {  // rows 4g…4g+3; b[4g + q]: elements 8l + 2q, 8l + 2q + 1
        b[4 * g] = _mm256_unpacklo_epi32(a[4 * g], a[4 * g + 2]);
        b[4 * g + 1] = _mm256_unpackhi_epi32(a[4 * g], a[4 * g + 2]);
        b[4 * g + 2] = _mm256_unpacklo_epi32(a[4 * g + 1], a[4 * g + 3]);
        b[4 * g + 3] = _mm256_unpackhi_epi32(a[4 * g + 1], a[4 * g + 3]);
    }
    for (int h = 0; h < 2; h++) {  // rows 8h…8h+7; c[8h + e]: element 8l + e of those rows
        for (int q = 0; q < 4; q++) {
            c[8 * h + 2 * q] = _mm256_unpacklo_epi64(b[8 * h + q], b[8 * h + 4 + q]);
            c[8 * h + 2 * q + 1] = _mm256_unpackhi_epi64(b[8 * h + q], b[8 * h + 4 + q]);
        }
    }
    for (int e = 0; e < 8; e++) {  // column e: lane 0 of rows 0–7 and of rows 8–15; column 8 + e: lane 1 of each
        r[e] = _mm256_permute2x128_si256(c[e], c[8 + e], 0x20);
        r[8 + e] = _mm256_permute2x128_si256(c[e], c[8 + e], 0x31);
    }
}

AVX512 void cs_avx512_transpose(const void *src, size_t src_row_stride, void *dst, size_t dst_row_stride,
                                 size_t rows, size_t cols, int element_size) {
    for (size_t c0 = 0; c0 < cols; c0 += 16) {
        size_t cw = cols - c0 < 16 ? cols - c0 : 16;
        __mmask16 cm = tail_mask(cw);
        for (size_t r0 = 0; r0 < rows; r0 += 16) {
            size_t rh = rows - r0 < 16 ? rows - r0 : 16;
            __mmask16 rm = tail_mask(rh);
            if (element_size == 4) {
                const float *s = (const float *)src + r0 * src_row_stride + c0;
                float *d = (float *)dst + c0 * dst_row_stride + r0;
                __m512 t[16];
                if (cw == 16 && rh == 16) {
                    for (int i = 0; i < 16; i++) t[i] = _mm512_loadu_ps(s + i * src_row_stride);
                    transpose16x16_32(t);
                    for (int j = 0; j < 16; j++) _mm512_storeu_ps(d + j * dst_row_stride, t[j]);
                } else {
                    for (size_t i = 0; i < 16; i++) t[i] = i < rh ? _mm512_maskz_loadu_ps(cm, s + i * src_row_stride) : _mm512_setzero_ps();
                    transpose16x16_32(t);
                    for (size_t j = 0; j < cw; j++) _mm512_mask_storeu_ps(d + j * dst_row_stride, rm, t[j]);
                }
            } else {
                const uint16_t *s = (const uint16_t *)src + r0 * src_row_stride + c0;
                uint16_t *d = (uint16_t *)dst + c0 * dst_row_stride + r0;
                __m256i t[16];
                if (cw == 16 && rh == 16) {
                    for (int i = 0; i < 16; i++) t[i] = _mm256_loadu_si256((const __m256i *)(s + i * src_row_stride));
                    transpose16x16_16(t);
                    for (int j = 0; j < 16; j++) _mm256_storeu_si256((__m256i *)(d + j * dst_row_stride), t[j]);
                } else {
                    for (size_t i = 0; i < 16; i++) t[i] = i < rh ? _mm256_maskz_loadu_epi16(cm, s + i * src_row_stride) : _mm256_setzero_si256();
                    transpose16x16_16(t);
                    for (size_t j = 0; j < cw; j++) _mm256_mask_storeu_epi16(d + j * dst_row_stride, rm, t[j]);
                }
            }
        }
    }
}

// The background-plate kernels, AVX-512 build (the loops are in plate_kernels.h).
#define PLATE_TARGET AVX512
#define PLATE_NAME(name) cs_avx512_##name
#include "plate_kernels.h"
#undef PLATE_TARGET
#undef PLATE_NAME

#else  // other architectures: the AVX-512 set is never selected (cs_avx512_usable() is 0)
#include <stdlib.h>
int cs_avx512_usable(void) { return 0; }
int cs_avx512_allow_bf16_instructions(int allow) { return 0; }
void cs_avx512_activation(int kind, const void *src, void *dst, int bf16, size_t begin, size_t end) { abort(); }
void cs_avx512_softmax_rows(const void *src, void *dst, int bf16, size_t cols, size_t row_begin, size_t row_end) { abort(); }
void cs_avx512_rms_norm_rows(const void *src, void *dst, int bf16, const float *weight, size_t cols, float eps,
                             int round_before_weight, size_t row_begin, size_t row_end) { abort(); }
void cs_avx512_mean_inv_std(const void *src, int bf16, size_t base, size_t count, float eps, float *mean, float *inv_std) { abort(); }
void cs_avx512_scale_shift(const void *src, void *dst, int bf16, size_t base, size_t count, float scale, float shift) { abort(); }
void cs_avx512_binary_row(int kind, const void *a, int a_bf16, size_t oa, int ia, const void *b, int b_bf16, size_t ob, int ib,
                          void *o, int o_bf16, size_t oo, size_t n) { abort(); }
void cs_avx512_f32_to_bf16(const float *src, uint16_t *dst, size_t n) { abort(); }
void cs_avx512_transpose(const void *src, size_t src_row_stride, void *dst, size_t dst_row_stride,
                         size_t rows, size_t cols, int element_size) { abort(); }
void cs_avx512_plate_record(size_t begin, size_t end, const uint8_t *src, const uint8_t *near, uint8_t *rgb, uint8_t *known,
                            uint8_t *anchor, uint8_t *run, int16_t *last, uint16_t *mean, int32_t *seen, int32_t *changed,
                            const int32_t *weights, int need, int tol, int hold_run, int limit, int moved, int32_t now) { abort(); }
void cs_avx512_plate_block_counts(const int32_t *blocks, size_t count, size_t bw, size_t b, size_t fw, size_t fh,
                                  const uint8_t *frame, const uint8_t *plate, const uint8_t *near, const uint8_t *known, int tol,
                                  const int32_t *changed, double earliest, int32_t *same_out, int32_t *n_out, int32_t *list,
                                  int32_t *list_count) { abort(); }
#endif
