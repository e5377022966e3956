// The lite engine's background-plate kernels (ClearLite/BackgroundPlate.swift): its per-pixel
// step and its scenery test's pixel pass, integer arithmetic, bit for bit the same as the Swift loops
// they replace (right shifts of negative values are arithmetic in clang, as in Swift). Plain C the
// compiler vectorises; included once per instruction set by a file that defines PLATE_TARGET (the
// target attribute) and PLATE_NAME(name) (the exported name): avx512.c (cs_avx512_plate_record,
// cs_avx512_plate_block_counts) and avx2.c (cs_avx2_plate_record, cs_avx2_plate_block_counts).
// Not a public header.

/// BackgroundPlate.record's per-pixel step (ClearLite/BackgroundPlate.swift, the running-mean
/// case), written without branches so that the compiler vectorises it: every array is read and
/// written back for every pixel, with the value the Swift loop would leave (integer arithmetic,
/// so the result is the same bit for bit; BackgroundPlateTests compares the two).
PLATE_TARGET void PLATE_NAME(plate_record)(size_t begin, size_t end, const uint8_t *restrict src, const uint8_t *restrict near,
                                   uint8_t *restrict rgb, uint8_t *restrict known, uint8_t *restrict anchor,
                                   uint8_t *restrict run, int16_t *restrict last, uint16_t *restrict mean,
                                   int32_t *restrict seen, int32_t *restrict changed, const int32_t *restrict weights,
                                   int need, int tol, int hold_run, int limit, int moved, int32_t now) {
    const int tracking = seen != NULL && changed != NULL;
#pragma clang loop vectorize(enable)
    for (size_t i = begin; i < end; i++) {
        const int s0 = src[3 * i], s1 = src[3 * i + 1], s2 = src[3 * i + 2];
        const int nr = near[i] != 0;
        const int l = (299 * s0 + 587 * s1 + 114 * s2 + 500) / 1000;
        const int r0 = run[i], an = anchor[i];
        const int dl = l > an ? l - an : an - l;
        const int restart = (r0 == 0) | (dl > tol);
        const int r1 = restart ? 1 : (r0 == 255 ? 255 : r0 + 1);
        // the running mean moves by the weight of the new run length (a restart: the value itself)
        const int32_t w = weights[r1];
        const int32_t m0 = mean[3 * i], m1 = mean[3 * i + 1], m2 = mean[3 * i + 2];
        const int32_t n0 = m0 + (((((int32_t)s0 << 7) - m0) * w) >> 16);
        const int32_t n1 = m1 + (((((int32_t)s1 << 7) - m1) * w) >> 16);
        const int32_t n2 = m2 + (((((int32_t)s2 << 7) - m2) * w) >> 16);
        const int d0 = rgb[3 * i], d1 = rgb[3 * i + 1], d2 = rgb[3 * i + 2];
        const int k = known[i];
        // a still frame's known pixel far from its plate value waits for hold_run stable frames
        const int a0 = s0 > d0 ? s0 - d0 : d0 - s0, a1 = s1 > d1 ? s1 - d1 : d1 - s1, a2 = s2 > d2 ? s2 - d2 : d2 - s2;
        const int far = (a0 > a1 ? (a0 > a2 ? a0 : a2) : (a1 > a2 ? a1 : a2)) > limit;
        const int write = !nr & (r1 >= need) & !((r1 < hold_run) & (k != 0) & far);
        const int e0 = ((((uint16_t)n0) + 64) >> 7) & 255, e1 = ((((uint16_t)n1) + 64) >> 7) & 255,
                  e2 = ((((uint16_t)n2) + 64) >> 7) & 255;
        const int b0 = e0 > d0 ? e0 - d0 : d0 - e0, b1 = e1 > d1 ? e1 - d1 : d1 - e1, b2 = e2 > d2 ? e2 - d2 : d2 - e2;
        const int moved_far = (b0 > b1 ? (b0 > b2 ? b0 : b2) : (b1 > b2 ? b1 : b2)) > moved;
        run[i] = nr ? 0 : (uint8_t)r1;
        last[i] = nr ? (int16_t)-1 : (int16_t)l;
        anchor[i] = (nr | !restart) ? (uint8_t)an : (uint8_t)l;
        mean[3 * i] = nr ? (uint16_t)m0 : (uint16_t)n0;
        mean[3 * i + 1] = nr ? (uint16_t)m1 : (uint16_t)n1;
        mean[3 * i + 2] = nr ? (uint16_t)m2 : (uint16_t)n2;
        rgb[3 * i] = write ? (uint8_t)e0 : (uint8_t)d0;
        rgb[3 * i + 1] = write ? (uint8_t)e1 : (uint8_t)d1;
        rgb[3 * i + 2] = write ? (uint8_t)e2 : (uint8_t)d2;
        if (tracking) {
            changed[i] = (write & (k == 1) & moved_far) ? now : changed[i];
            seen[i] = write ? now : seen[i];
        }
        known[i] = write ? 1 : (uint8_t)k;
    }
}

/// BackgroundPlate.matchingBlocks' pixel pass (ClearLite/BackgroundPlate.swift) for `count` blocks:
/// per block (index blocks[j] of a bw-wide grid of b×b blocks, clipped to fw×fh), the pixels with
/// near 0 and known 1 (n_out), those whose luma is within tol of the plate's (same_out) and, when
/// changed is not NULL, the changed frames of those pixels later than `earliest`, in scan order, at
/// list[j·b·b ...] (list_count). The counting loop is vectorised; the same integers as the Swift loop.
PLATE_TARGET void PLATE_NAME(plate_block_counts)(const int32_t *restrict blocks, size_t count, size_t bw, size_t b, size_t fw,
                                         size_t fh, const uint8_t *restrict frame, const uint8_t *restrict plate,
                                         const uint8_t *restrict near, const uint8_t *restrict known, int tol,
                                         const int32_t *restrict changed, double earliest, int32_t *restrict same_out,
                                         int32_t *restrict n_out, int32_t *restrict list, int32_t *restrict list_count) {
    for (size_t j = 0; j < count; j++) {
        const size_t bx = (size_t)blocks[j] % bw, by = (size_t)blocks[j] / bw;
        const size_t x0 = bx * b, x1 = x0 + b < fw ? x0 + b : fw, y0 = by * b, y1 = y0 + b < fh ? y0 + b : fh;
        int32_t same = 0, n = 0, m = 0;
        for (size_t y = y0; y < y1; y++) {
            const size_t row = y * fw;
#pragma clang loop vectorize(enable)
            for (size_t x = x0; x < x1; x++) {
                const size_t i = row + x;
                const int use = (near[i] == 0) & (known[i] == 1);
                const int lf = (299 * frame[3 * i] + 587 * frame[3 * i + 1] + 114 * frame[3 * i + 2] + 500) / 1000;
                const int lp = (299 * plate[3 * i] + 587 * plate[3 * i + 1] + 114 * plate[3 * i + 2] + 500) / 1000;
                const int d = lf > lp ? lf - lp : lp - lf;
                n += use;
                same += use & (d <= tol);
            }
            if (changed) {
                for (size_t x = x0; x < x1; x++) {
                    const size_t i = row + x;
                    if (near[i] == 0 && known[i] == 1 && (double)changed[i] > earliest) list[j * b * b + m++] = changed[i];
                }
            }
        }
        same_out[j] = same;
        n_out[j] = n;
        if (changed) list_count[j] = m;
    }
}
