// Channels-first <-> channels-last layout conversion ([N, C, S] <-> [N, S, C], S = product of the
// spatial sizes) for the convolution wrappers: oneDNN's brgconv kernels want channels-last
// (`acdb` / `acdeb`) activations while our tensors are NCHW / NCDHW. oneDNN 2.6's generic reorder
// for this transposition runs at a fraction of memory bandwidth; this cache-blocked transpose
// runs several times faster. The 16×16 tiles are the active kernel set's (ClearSIMD: AVX-512
// register transposes, or portable scalar tiles); this file splits the work across threads.
// Matches: oneDNN `reorder` abcd <-> acdb (a pure permutation, exact).

/// Transposes `batches` matrices of `rows` × `cols` elements (row-major, element size 2 or 4
/// bytes) from `src` into `dst` (each becomes cols × rows), in parallel over tiles.
func transposeBatched(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, batches: Int, rows: Int, cols: Int, elementSize: Int) {
    transposeStrided(src, batchStride: rows * cols, rowStride: cols, dst, batchStride: rows * cols, rowStride: rows,
                     batches: batches, rows: rows, cols: cols, elementSize: elementSize)
}

/// General form: element (b, i, j) of the source at src[b·sb + i·sr + j] goes to
/// dst[b·db + j·dr + i] (strides in elements), for i < rows, j < cols. `serial`: on the calling
/// thread only (a worker of a parallel region that has its own share of the work).
func transposeStrided(_ src: UnsafeRawPointer, batchStride sb: Int, rowStride sr: Int,
                      _ dst: UnsafeMutableRawPointer, batchStride db: Int, rowStride dr: Int,
                      batches: Int, rows: Int, cols: Int, elementSize: Int, serial: Bool = false) {
    precondition(elementSize == 4 || elementSize == 2, "transposeStrided: element size \(elementSize)")
    let kernels = KernelDispatch.active
    // Work items (measured on conv2d bands, BENCHMARKS.md): channels-first -> last (few long
    // rows, far apart in memory) takes blocks of ≤ 32 rows × 256 columns, so few source streams
    // are open at once; channels-last -> first (many short rows) takes 16-column strips of all
    // rows, whose 16 destination rows each fill sequentially.
    let fewRows = rows < cols
    let rowBlock = fewRows ? (rows <= 32 ? rows : 16) : rows, colBlock = fewRows ? 256 : 16
    let rowBlocks = (rows + rowBlock - 1) / rowBlock, colBlocks = (cols + colBlock - 1) / colBlock
    let items = batches * rowBlocks * colBlocks
    @inline(__always) func tiles(_ r: Range<Int>) {
        for item in r {
            let b = item / (rowBlocks * colBlocks), rest = item % (rowBlocks * colBlocks)
            let r0 = (rest / colBlocks) * rowBlock, c0 = (rest % colBlocks) * colBlock
            kernels.transpose(src + (b * sb + r0 * sr + c0) * elementSize, srcRowStride: sr,
                              dst + (b * db + c0 * dr + r0) * elementSize, dstRowStride: dr,
                              rows: min(rowBlock, rows - r0), cols: min(colBlock, cols - c0), elementSize: elementSize)
        }
    }
    if serial { tiles(0..<items) } else { parallelFor(items, minChunk: max(1, (1 << 17) / (rowBlock * colBlock))) { tiles($0) } }
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

extension Ops {
    /// [B, R, C] → [B, C, R] (a copy): the channels-first ↔ channels-last conversion of the
    /// convolution wrappers, exposed for `bench ops --only layout` and tests.
    public static func transposeLastTwo(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3 else { throw TensorError.invalidShape(op: "transposeLastTwo", shape: x.shape, reason: "need [B, R, C]") }
        let out = Tensor(shape: [x.shape[0], x.shape[2], x.shape[1]], dtype: x.dtype, zeroed: false)
        if x.count > 0 {
            transposeBatched(x.raw, out.raw, batches: x.shape[0], rows: x.shape[1], cols: x.shape[2], elementSize: x.dtype.size)
        }
        return out
    }
}
