// Single-channel Float images (`Plane`) and the small image operations the metrics share:
// luma conversion (ITU-R BT.601 weights, 0–255 scale), separable filtering with clamped borders,
// Gaussian kernels, bilinear sampling and resampling. Storage is owned and row-major, so that
// disjoint row ranges can be written from several threads (see `Parallel`).
import ClearMedia
import Foundation

/// A width × height Float image, row-major, no padding. Rows may be written concurrently by
/// different threads as long as each row is written by one thread only.
public final class Plane: @unchecked Sendable {
    public let width: Int
    public let height: Int
    public let data: UnsafeMutablePointer<Float>

    public init(width: Int, height: Int, fill: Float = 0) {
        precondition(width > 0 && height > 0, "Plane: empty size \(width)x\(height)")
        self.width = width
        self.height = height
        data = .allocate(capacity: width * height)
        data.initialize(repeating: fill, count: width * height)
    }

    /// A plane whose pixels are left uninitialised: for outputs that are written in full.
    init(uninitializedWidth width: Int, height: Int) {
        precondition(width > 0 && height > 0, "Plane: empty size \(width)x\(height)")
        self.width = width
        self.height = height
        data = .allocate(capacity: width * height)
    }

    /// A plane holding `values` (row-major, `width * height` of them).
    public convenience init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "Plane: \(values.count) values for \(width)x\(height)")
        self.init(width: width, height: height)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { data.deallocate() }

    public var count: Int { width * height }

    public subscript(x: Int, y: Int) -> Float {
        get { data[y * width + x] }
        set { data[y * width + x] = newValue }
    }

    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Bilinear sample at (x, y) in pixel coordinates; coordinates are clamped to the image.
    @inline(__always)
    public func sample(_ x: Float, _ y: Float) -> Float {
        let xc = min(max(x, 0), Float(width - 1)), yc = min(max(y, 0), Float(height - 1))
        let x0 = min(Int(xc), width - 2 < 0 ? 0 : width - 2), y0 = min(Int(yc), height - 2 < 0 ? 0 : height - 2)
        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let fx = xc - Float(x0), fy = yc - Float(y0)
        let r0 = data + y0 * width, r1 = data + y1 * width
        let top = r0[x0] + (r0[x1] - r0[x0]) * fx
        let bottom = r1[x0] + (r1[x1] - r1[x0]) * fx
        return top + (bottom - top) * fy
    }
}

public enum Luma {
    /// Y = 0.299 R + 0.587 G + 0.114 B on the 0–255 scale (ITU-R BT.601 weights, as in the SSIM
    /// of Wang et al. 2004 applied to the luma of colour video).
    public static func plane(_ frame: RGBFrame) -> Plane {
        let out = Plane(width: frame.width, height: frame.height)
        let w = frame.width
        frame.pixels.withUnsafeBufferPointer { src in
            let s = UnsafeBufferPointerBox(src)
            Parallel.forRows(frame.height) { rows in
                for y in rows {
                    let o = out.data + y * w
                    let p = s.base + y * w * 3
                    for x in 0..<w {
                        o[x] = 0.299 * Float(p[3 * x]) + 0.587 * Float(p[3 * x + 1]) + 0.114 * Float(p[3 * x + 2])
                    }
                }
            }
        }
        return out
    }
}

/// A read-only buffer pointer that may be shared with the worker threads of `Parallel` for the
/// duration of a `withUnsafeBufferPointer` call.
struct UnsafeBufferPointerBox<T>: @unchecked Sendable {
    let base: UnsafePointer<T>
    let count: Int
    init(_ b: UnsafeBufferPointer<T>) { base = b.baseAddress!; count = b.count }
}

public enum Filter {
    /// Normalised 1-D Gaussian kernel of the given radius (2·radius + 1 taps).
    public static func gaussianKernel(sigma: Double, radius: Int) -> [Float] {
        var k = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let s = k.reduce(0, +)
        k = k.map { $0 / s }
        return k.map(Float.init)
    }

    /// Separable correlation of `src` with `kx` along rows then `ky` along columns, borders
    /// replicated (clamped coordinates). Output has the size of the input.
    public static func separable(_ src: Plane, _ kx: [Float], _ ky: [Float]) -> Plane {
        let tmp = horizontal(src, kx)
        return vertical(tmp, ky)
    }

    // The two passes below are written tap by tap over a whole row (`o[x] += c · s[x + offset]`),
    // a shape the optimiser vectorises; plain loops also keep debug builds fast (SIMD types are
    // not specialised there).

    public static func horizontal(_ src: Plane, _ k: [Float]) -> Plane {
        let w = src.width, r = k.count / 2
        return accumulateRows(src, k) { y, o, kp in
            let s = src.data + y * w
            for i in 0..<kp.count {
                let c = kp[i], off = i - r
                // Outputs whose tap falls inside the row; the rest read the edge pixel.
                let lo = min(max(0, -off), w), hi = max(min(w, w - off), lo)
                let first = c * s[0], last = c * s[w - 1]
                for x in 0..<lo { o[x] += first }
                multiplyAdd(o + lo, s + (lo + off), c, hi - lo)
                for x in hi..<w { o[x] += last }
            }
        }
    }

    public static func vertical(_ src: Plane, _ k: [Float]) -> Plane {
        let w = src.width, h = src.height, r = k.count / 2
        return accumulateRows(src, k) { y, o, kp in
            for i in 0..<kp.count {
                multiplyAdd(o, src.data + min(max(y + i - r, 0), h - 1) * w, kp[i], w)
            }
        }
    }

    /// A new plane the size of `src` whose rows, zeroed, are filled in parallel by `row(y, out, kernel)`.
    private static func accumulateRows(
        _ src: Plane, _ k: [Float],
        _ row: @escaping @Sendable (Int, UnsafeMutablePointer<Float>, UnsafeBufferPointer<Float>) -> Void
    ) -> Plane {
        let w = src.width
        let out = Plane(uninitializedWidth: w, height: src.height)
        let kb = k
        Parallel.forRows(src.height) { rows in
            kb.withUnsafeBufferPointer { kp in
                for y in rows {
                    let o = out.data + y * w
                    o.update(repeating: 0, count: w)
                    row(y, o, kp)
                }
            }
        }
        return out
    }

    /// Gaussian blur with clamped borders; radius defaults to ⌈3σ⌉.
    public static func gaussianBlur(_ src: Plane, sigma: Double, radius: Int? = nil) -> Plane {
        let r = radius ?? max(1, Int((3 * sigma).rounded(.up)))
        let k = gaussianKernel(sigma: sigma, radius: r)
        return separable(src, k, k)
    }

    /// Resamples `src` to `width` × `height`: anti-alias Gaussian blur when shrinking, then
    /// bilinear sampling at pixel centres (x_src = (x + 0.5)·sx − 0.5).
    public static func resize(_ src: Plane, width: Int, height: Int) -> Plane {
        if width == src.width && height == src.height { return src }
        let sx = Double(src.width) / Double(width), sy = Double(src.height) / Double(height)
        let shrink = max(sx, sy)
        let smoothed = shrink > 1 ? gaussianBlur(src, sigma: 0.5 * (shrink * shrink - 1).squareRoot()) : src
        // Source column / row pairs and weights, computed once (x_src = (x + 0.5)·sx − 0.5, clamped).
        func taps(_ n: Int, _ scale: Double, _ size: Int) -> (i0: [Int], i1: [Int], f: [Float]) {
            var i0 = [Int](repeating: 0, count: n), i1 = i0, f = [Float](repeating: 0, count: n)
            for i in 0..<n {
                let c = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(size - 1))
                i0[i] = min(Int(c), max(size - 2, 0))
                i1[i] = min(i0[i] + 1, size - 1)
                f[i] = Float(c - Double(i0[i]))
            }
            return (i0, i1, f)
        }
        let tx = taps(width, sx, src.width), ty = taps(height, sy, src.height)
        let out = Plane(uninitializedWidth: width, height: height)
        let sw = src.width
        Parallel.forRows(height) { rows in
            for y in rows {
                let o = out.data + y * width
                let r0 = smoothed.data + ty.i0[y] * sw, r1 = smoothed.data + ty.i1[y] * sw, fy = ty.f[y]
                tx.i0.withUnsafeBufferPointer { x0 in
                    tx.i1.withUnsafeBufferPointer { x1 in
                        tx.f.withUnsafeBufferPointer { fx in
                            for x in 0..<width {
                                let a = x0[x], b = x1[x], t = fx[x]
                                let top = r0[a] + (r0[b] - r0[a]) * t
                                let bottom = r1[a] + (r1[b] - r1[a]) * t
                                o[x] = top + (bottom - top) * fy
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// o[i] += c · s[i] for i in 0..<n (a vectorisable loop; `o` and `s` do not overlap).
@inline(__always)
func multiplyAdd(_ o: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ c: Float, _ n: Int) {
    // A counted `while` loop: vectorised in release builds, and free of the range-iterator calls
    // that dominate unoptimised (debug) builds.
    var i = 0
    while i < n {
        o[i] += c * s[i]
        i &+= 1
    }
}

@inline(__always)
func multiplyAdd(_ o: UnsafeMutablePointer<Float>, _ s: UnsafeMutablePointer<Float>, _ c: Float, _ n: Int) {
    multiplyAdd(o, UnsafePointer(s), c, n)
}
