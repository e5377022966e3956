// Channels-first <-> channels-last layout conversion ([N, C, S] <-> [N, S, C], S = product of the
// spatial sizes) for the convolution wrappers: oneDNN's brgconv kernels want channels-last
// (`acdb` / `acdeb`) activations while our tensors are NCHW / NCDHW. oneDNN 2.6's generic reorder
// for this transposition runs at a fraction of memory bandwidth; this cache-blocked transpose
// runs several times faster. Matches: oneDNN `reorder` abcd <-> acdb (a pure permutation, exact).

/// Transposes `batches` matrices of `rows` × `cols` elements (row-major, element size 2 or 4
/// bytes) from `src` into `dst` (each becomes cols × rows), in parallel over tiles.
func transposeBatched(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, batches: Int, rows: Int, cols: Int, elementSize: Int) {
    transposeStrided(src, batchStride: rows * cols, rowStride: cols, dst, batchStride: rows * cols, rowStride: rows,
                     batches: batches, rows: rows, cols: cols, elementSize: elementSize)
}

/// General form: element (b, i, j) of the source at src[b·sb + i·sr + j] goes to
/// dst[b·db + j·dr + i] (strides in elements), for i < rows, j < cols.
func transposeStrided(_ src: UnsafeRawPointer, batchStride sb: Int, rowStride sr: Int,
                      _ dst: UnsafeMutableRawPointer, batchStride db: Int, rowStride dr: Int,
                      batches: Int, rows: Int, cols: Int, elementSize: Int) {
    let g = TransposeGeometry(sb: sb, sr: sr, db: db, dr: dr, batches: batches, rows: rows, cols: cols)
    switch elementSize {
    case 4: g.run(src.assumingMemoryBound(to: UInt32.self), dst.assumingMemoryBound(to: UInt32.self))
    case 2: g.run(src.assumingMemoryBound(to: UInt16.self), dst.assumingMemoryBound(to: UInt16.self))
    default: preconditionFailure("transposeStrided: element size \(elementSize)")
    }
}

private struct TransposeGeometry {
    let sb: Int, sr: Int, db: Int, dr: Int, batches: Int, rows: Int, cols: Int

    func run<T: FixedWidthInteger>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>) {
        let tile = 16
        let colTiles = (cols + tile - 1) / tile
        // One work item = one 16-column strip of one batch, all rows: reads 16 contiguous elements
        // of every row, writes 16 destination rows that stay in L1/L2 while they fill.
        parallelFor(batches * colTiles, minChunk: max(1, 8192 / max(rows, 1))) { r in
            for item in r {
                let b = item / colTiles, c0 = (item % colTiles) * tile, cw = min(tile, cols - c0)
                let s = src + b * sb, d = dst + b * db
                var r0 = 0
                while r0 < rows {
                    let rh = min(tile, rows - r0)
                    if rh == tile && cw == tile {
                        transposeTile16(s + r0 * sr + c0, sr, d + c0 * dr + r0, dr)
                    } else {
                        for j in 0..<cw { for i in 0..<rh { d[(c0 + j) * dr + r0 + i] = s[(r0 + i) * sr + c0 + j] } }
                    }
                    r0 += tile
                }
            }
        }
    }
}

@inline(__always)
private func transposeTile16<T: FixedWidthInteger>(_ s: UnsafePointer<T>, _ ss: Int, _ d: UnsafeMutablePointer<T>, _ ds: Int) {
    for j in 0..<16 {
        let o = d + j * ds
        for i in 0..<16 { o[i] = s[i * ss + j] }
    }
}

extension Tensor {
    /// Row-major strides of a channels-last layout of an [N, C, spatial…] shape, in element units
    /// and in the logical (N, C, spatial…) dimension order (what oneDNN calls acdb / acdeb).
    static func channelsLastStrides(_ shape: [Int]) -> [Int] {
        let c = shape[1], sp = shape.dropFirst(2).reduce(1, *)
        var st = [sp * c, 1]
        var acc = c
        var spatial: [Int] = []
        for d in shape.dropFirst(2).reversed() { spatial.append(acc); acc *= d }
        st += spatial.reversed()
        return st
    }
}
