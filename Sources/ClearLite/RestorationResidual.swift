// What the restoration network adds to the fill it starts from, under the engine's α
// (MODEL_CARD.md "The restoration network"). `clearsub train inspect --residual` reports it, and
// `LiteEngineTests.testBundledRestorationNetworkIsInert` keeps the bundled network inert, which is
// why the engine composites the fill alone with the bundled weights
// (`LiteEngine.bundledRestorationIsInert`).
import ClearMedia

extension LiteEngine {
    /// R − fill in 8-bit levels, every channel of every pixel with α > 0 of frame `t` of `chunk`:
    /// the head's α at the engine's α pair (before the cues), one region around all of it (16 px
    /// margin, aligned), the network in f32. Empty when α is 0 everywhere.
    public func restorationResidual(_ chunk: [RGBFrame], at t: Int) throws -> [Double] {
        let a = try alphaMap(chunk, at: t)
        let (w, h) = (a.width, a.height)
        var (x0, y0, x1, y1) = (w, h, -1, -1)
        for y in 0..<h { for x in 0..<w where a.values[y * w + x] > 0 { x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y) } }
        guard x1 >= 0 else { return [] }
        let al = LiteArchitecture.alignment
        x0 = max(0, x0 - 16) / al * al; y0 = max(0, y0 - 16) / al * al
        let rw = (min(w, x1 + 17) - x0 + al - 1) / al * al, rh = (min(h, y1 + 17) - y0 + al - 1) / al * al
        let idx = (-LiteArchitecture.radius...LiteArchitecture.radius).map { min(max(t + $0, 0), chunk.count - 1) }
        let (alpha, input, fill) = restorationInputs(frames: idx.map { chunk[$0] }, alpha: a,
                                                     region: TileRegion(x: x0, y: y0, width: rw, height: rh))
        let r = try network.restoreChannelsLast(input: input, fill: fill, precision: .f32).floats(), f = fill.floats()
        var d: [Double] = []
        for i in 0..<(rw * rh) where alpha[i] > 0 { for c in 0..<3 { d.append(Double(r[i * 3 + c] - f[i * 3 + c]) * 255) } }
        return d
    }
}
