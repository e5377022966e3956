// Streaming evaluation of a cleaned video against its clean reference (shared/design.md §1.2,
// `clearsub eval`): frames are decoded one at a time and folded into running sums, so memory is
// constant in the clip length; for the warping error only the previous frame pair is kept.
//   psnr              mean over frames of the per-frame PSNR (RGB, MAX 255), each capped at 100 dB
//   psnr_clip         PSNR of the MSE over all frames (capped at 100 dB)
//   ssim              mean over frames of SSIM on luma (Wang et al. 2004, valid region; SSIM.swift)
//   psnr_inside_mask  PSNR of the MSE over the pixels of the dilated mask, whole clip (MaskDilation.swift)
//   psnr_outside_mask PSNR of the MSE over all other pixels, whole clip; a frame with an empty
//                     mask contributes only here. Both are nil without a mask or when the mask is
//                     empty in every frame.
//   text_left_frame_ratio  share of the frames with subtitle text (mask opacity ≥ 0.5 somewhere) in
//                     which that text is still visible (TextResidue.swift); nil without a mask or text
//   text_residual_pixel_ratio  the share of all those text pixels that still differ (its graded form)
//   psnr_region       PSNR over a fixed rectangle (`region`), whole clip (RegionPSNR.swift)
//   warping_error     mean over consecutive pairs of the warping error (Lai et al. 2018; Warp.swift)
//                     with Farnebäck flow of the reference (OpticalFlow.swift); nil for one frame.
//                     A pair in which every pixel is occluded or out of bounds is skipped.
import ClearMedia
import Foundation

public struct EvaluationOptions: Sendable, Equatable {
    /// Evaluate only the first N frames (nil: all).
    public var maxFrames: Int?
    /// Compute the temporal warping error (the expensive part).
    public var warpingError: Bool
    public var flow: FarnebackParameters
    /// A rectangle whose PSNR is reported on its own (nil: none).
    public var region: PixelRect?

    public init(maxFrames: Int? = nil, warpingError: Bool = true, flow: FarnebackParameters = FarnebackParameters(),
                region: PixelRect? = nil) {
        self.maxFrames = maxFrames
        self.warpingError = warpingError
        self.flow = flow
        self.region = region
    }
}

public struct MetricsReport: Sendable, Equatable {
    public var frames: Int
    public var width: Int
    public var height: Int
    /// Mean over frames of the per-frame PSNR, each capped at `PSNR.cap`.
    public var psnr: Double
    /// PSNR of the whole-clip MSE, capped at `PSNR.cap`.
    public var psnrClip: Double
    /// Nil when the frame is smaller than the 11 × 11 SSIM window.
    public var ssim: Double?
    public var psnrInsideMask: Double?
    public var psnrOutsideMask: Double?
    /// Fraction of pixel-frames inside the dilated mask (nil without a mask).
    public var maskFraction: Double?
    /// Frames with subtitle text (opacity ≥ 0.5 somewhere) and those of them where text is left
    /// (TextResidue); 0 without a mask.
    public var textFrames: Int = 0
    public var textLeftFrames: Int = 0
    /// `textLeftFrames / textFrames`; nil without a mask or when no frame has text.
    public var textLeftFrameRatio: Double? { textFrames > 0 ? Double(textLeftFrames) / Double(textFrames) : nil }
    /// Text pixels (opacity ≥ 0.5) over the clip and those still differing by > 40 levels: the
    /// graded version of the text-left rate.
    public var textPixels: Int = 0
    public var textResidualPixels: Int = 0
    public var textResidualPixelRatio: Double? { textPixels > 0 ? Double(textResidualPixels) / Double(textPixels) : nil }
    /// The `--region` rectangle, its PSNR over the clip, and the fraction of its pixel-frames inside
    /// the dilated mask (nil without a mask): all nil without a region.
    public var region: PixelRect?
    public var psnrRegion: Double?
    public var regionMaskFraction: Double?
    public var warpingError: Double?
    /// Frame pairs that contributed to the warping error.
    public var warpingPairs: Int
    /// Mean fraction of pixels kept (not occluded, in bounds) in those pairs.
    public var warpingVisibleFraction: Double?
    /// Size the flow was computed at.
    public var flowWidth: Int
    public var flowHeight: Int
}

/// Folds frame triples (reference, candidate, optional mask) into the metrics; no I/O.
public final class MetricsAccumulator {
    public let width: Int
    public let height: Int
    public let options: EvaluationOptions
    public let hasMask: Bool

    public private(set) var frames = 0
    private var psnrSum = 0.0
    private var clipError = SquaredError()
    private var ssimSum = 0.0
    private var ssimFrames = 0
    private var inside = SquaredError()
    private var outside = SquaredError()
    private var textFrames = 0
    private var textLeftFrames = 0
    private var textCount = TextResidue.Count(textPixels: 0, residualPixels: 0)
    private var regionError = SquaredError()
    private var regionMasked = 0
    private var warpSum = 0.0
    private var warpPairs = 0
    private var visibleSum = 0.0
    private var previous: (flow: FlowFrame, candidate: RGBFrame)?

    public init(width: Int, height: Int, hasMask: Bool, options: EvaluationOptions = EvaluationOptions()) {
        self.width = width
        self.height = height
        self.hasMask = hasMask
        self.options = options
    }

    /// Adds the next frame. All frames must have the accumulator's size; `mask` must be given for
    /// every frame when the accumulator was created with `hasMask`.
    public func add(reference: RGBFrame, candidate: RGBFrame, mask: GrayFrame? = nil) throws {
        for (role, w, h) in [("candidate", candidate.width, candidate.height), ("reference", reference.width, reference.height)]
            + (mask.map { [("mask", $0.width, $0.height)] } ?? [])
            where w != width || h != height
        {
            throw MetricsError.sizeMismatch(role: role, path: "frame \(frames)", width: w, height: h,
                                            referenceWidth: width, referenceHeight: height)
        }
        precondition(hasMask == (mask != nil), "MetricsAccumulator: mask given for some frames only")
        if let rect = options.region, !rect.fits(frameWidth: width, frameHeight: height) {
            throw MetricsError.regionOutsideFrame(rect, width: width, height: height)
        }
        // PSNR (per frame and clip) and, with a mask, the inside / outside split.
        if let m = mask {
            let region = MaskDilation.region(opacity: m)
            let split = PSNR.maskedSquaredError(reference, candidate, mask: region)
            if let rect = options.region { regionMasked += region.count(in: rect) }
            let text = TextResidue.count(reference: reference, candidate: candidate, opacity: m)
            if text.hasText { textFrames += 1 }
            if text.textLeft { textLeftFrames += 1 }
            textCount.textPixels += text.textPixels
            textCount.residualPixels += text.residualPixels
            inside += split.inside
            outside += split.outside
            let all = split.inside + split.outside
            clipError += all
            psnrSum += PSNR.capped(all.psnr!)
        } else {
            let e = PSNR.squaredError(reference, candidate)
            clipError += e
            psnrSum += PSNR.capped(e.psnr!)
        }
        if let rect = options.region { regionError += PSNR.squaredError(reference, candidate, in: rect) }
        // SSIM on luma; the reference luma also feeds the optical flow.
        let refLuma = Luma.plane(reference)
        if let s = SSIM.ssim(refLuma, Luma.plane(candidate)) {
            ssimSum += s
            ssimFrames += 1
        }
        if options.warpingError {
            let flowFrame = FlowFrame(luma: refLuma, parameters: options.flow)
            if let prev = previous {
                let backward = OpticalFlow.farneback(from: flowFrame, to: prev.flow)
                let forward = OpticalFlow.farneback(from: prev.flow, to: flowFrame)
                let e = Warp.warpingError(previous: prev.candidate, current: candidate, backward: backward, forward: forward)
                if let mae = e.meanAbsoluteError {
                    warpSum += mae
                    warpPairs += 1
                    visibleSum += Double(e.pixels) / Double(e.total)
                }
            }
            previous = (flowFrame, candidate)
        }
        frames += 1
    }

    public func report() -> MetricsReport {
        let n = Double(max(frames, 1))
        let masked = hasMask && inside.count > 0
        let (fw, fh) = FlowFrame.flowSize(width: width, height: height, maxHeight: options.flow.maxHeight)
        var r = MetricsReport(
            frames: frames, width: width, height: height,
            psnr: psnrSum / n,
            psnrClip: PSNR.capped(clipError.psnr ?? .infinity),
            ssim: ssimFrames > 0 ? ssimSum / Double(ssimFrames) : nil,
            psnrInsideMask: masked ? inside.psnr.map(PSNR.capped) : nil,
            psnrOutsideMask: masked ? outside.psnr.map(PSNR.capped) : nil,
            maskFraction: hasMask ? Double(inside.count) / Double(max(inside.count + outside.count, 1)) : nil,
            warpingError: warpPairs > 0 ? warpSum / Double(warpPairs) : nil,
            warpingPairs: warpPairs,
            warpingVisibleFraction: warpPairs > 0 ? visibleSum / Double(warpPairs) : nil,
            flowWidth: fw, flowHeight: fh)
        r.textFrames = textFrames
        r.textLeftFrames = textLeftFrames
        r.textPixels = textCount.textPixels
        r.textResidualPixels = textCount.residualPixels
        if let rect = options.region {
            r.region = rect
            r.psnrRegion = regionError.psnr.map(PSNR.capped)
            r.regionMaskFraction = hasMask && frames > 0 ? Double(regionMasked) / Double(rect.width * rect.height * frames) : nil
        }
        return r
    }
}

public enum VideoEvaluator {
    /// Evaluates `candidate` against `reference` (and the subtitle opacity video `mask`), streaming.
    /// `progress` is called after each frame with (frames done, frames expected).
    public static func evaluate(reference: String, candidate: String, mask: String? = nil,
                                options: EvaluationOptions = EvaluationOptions(),
                                progress: ((Int, Int) -> Void)? = nil) throws -> MetricsReport {
        if let n = options.maxFrames, n < 1 { throw MetricsError.invalidMaxFrames(n) }
        let refInfo = try VideoProbe.probe(reference)
        if let rect = options.region, !rect.fits(frameWidth: refInfo.width, frameHeight: refInfo.height) {
            throw MetricsError.regionOutsideFrame(rect, width: refInfo.width, height: refInfo.height)
        }
        let candInfo = try VideoProbe.probe(candidate)
        let maskInfo = try mask.map(VideoProbe.probe)
        let limit = options.maxFrames ?? Int.max
        let expected = min(refInfo.frameCount, limit)
        for (role, info) in [("candidate", candInfo)] + (maskInfo.map { [("mask", $0)] } ?? []) {
            if info.width != refInfo.width || info.height != refInfo.height {
                throw MetricsError.sizeMismatch(role: role, path: info.path, width: info.width, height: info.height,
                                                referenceWidth: refInfo.width, referenceHeight: refInfo.height)
            }
            // Container frame counts (exact for our outputs) catch a mismatch before decoding.
            if min(info.frameCount, limit) != expected {
                throw MetricsError.frameCountMismatch(role: role, path: info.path, frames: info.frameCount,
                                                      atLeast: false, referenceFrames: refInfo.frameCount)
            }
        }
        let refDec = try VideoDecoder(info: refInfo, layout: .rgb24)
        let candDec = try VideoDecoder(info: candInfo, layout: .rgb24)
        let maskDec = try maskInfo.map { try VideoDecoder(info: $0, layout: .gray) }
        defer {
            refDec.close()
            candDec.close()
            maskDec?.close()
        }
        return try evaluate(reference: StreamSource(path: reference, frames: refInfo.frameCount, next: refDec.nextFrame),
                            candidate: StreamSource(path: candidate, frames: candInfo.frameCount, next: candDec.nextFrame),
                            mask: maskDec.map { StreamSource(path: mask!, frames: maskInfo!.frameCount, next: $0.nextGrayFrame) },
                            width: refInfo.width, height: refInfo.height, options: options, progress: progress)
    }

    /// A stream of frames: where it comes from (for messages), how many frames it declares, and
    /// the function that returns the next frame (nil at the end).
    public struct StreamSource<Frame> {
        public let path: String
        public let frames: Int
        public let next: () throws -> Frame?

        public init(path: String, frames: Int, next: @escaping () throws -> Frame?) {
            self.path = path
            self.frames = frames
            self.next = next
        }
    }

    /// The streaming loop over already opened sources: reads one frame of each per step and checks
    /// that they end together (a stream that ends early or runs on is a frame-count mismatch).
    public static func evaluate(reference: StreamSource<RGBFrame>, candidate: StreamSource<RGBFrame>,
                                mask: StreamSource<GrayFrame>?, width: Int, height: Int,
                                options: EvaluationOptions = EvaluationOptions(),
                                progress: ((Int, Int) -> Void)? = nil) throws -> MetricsReport {
        let limit = options.maxFrames ?? Int.max
        let expected = min(reference.frames, limit)
        let acc = MetricsAccumulator(width: width, height: height, hasMask: mask != nil, options: options)
        while acc.frames < limit {
            let r = try reference.next()
            let c = try candidate.next()
            let m = try mask?.next()
            let n = acc.frames
            guard let r else {
                // The reference ended: every other stream must end here too.
                if c != nil {
                    throw MetricsError.frameCountMismatch(role: "candidate", path: candidate.path, frames: n + 1,
                                                          atLeast: true, referenceFrames: n)
                }
                if let mask, m != nil {
                    throw MetricsError.frameCountMismatch(role: "mask", path: mask.path, frames: n + 1,
                                                          atLeast: true, referenceFrames: n)
                }
                break
            }
            // The reference goes on: it has at least n + 1 frames, probably as many as it declares.
            let refCount = max(reference.frames, n + 1)
            guard let c else {
                throw MetricsError.frameCountMismatch(role: "candidate", path: candidate.path, frames: n,
                                                      atLeast: false, referenceFrames: refCount)
            }
            if let mask, m == nil {
                throw MetricsError.frameCountMismatch(role: "mask", path: mask.path, frames: n,
                                                      atLeast: false, referenceFrames: refCount)
            }
            try acc.add(reference: r, candidate: c, mask: m)
            progress?(acc.frames, expected)
        }
        return acc.report()
    }
}

extension MetricsReport {
    /// The `--json` object: the contract keys (frames, psnr, psnr_clip, ssim, psnr_inside_mask,
    /// psnr_outside_mask, warping_error; NSNull where not computable) and descriptive extras.
    public func jsonObject() -> [String: Any] {
        func num(_ v: Double?) -> Any { v.map { $0 as Any } ?? NSNull() }
        return [
            "frames": frames,
            "width": width,
            "height": height,
            "psnr": psnr,
            "psnr_clip": psnrClip,
            "ssim": num(ssim),
            "psnr_inside_mask": num(psnrInsideMask),
            "psnr_outside_mask": num(psnrOutsideMask),
            "mask_fraction": num(maskFraction),
            "warping_error": num(warpingError),
            "text_frames": textFrames,
            "text_left_frames": textLeftFrames,
            "text_left_frame_ratio": num(textLeftFrameRatio),
            "text_residual_pixel_ratio": num(textResidualPixelRatio),
            "text_left_rule": "opacity >= 128: > 10% of pixels differ by > 40 levels (max over RGB)",
            "region": region.map { $0.description as Any } ?? NSNull(),
            "psnr_region": num(psnrRegion),
            "region_mask_fraction": num(regionMaskFraction),
            "warping_pairs": warpingPairs,
            "warping_visible_fraction": num(warpingVisibleFraction),
            "psnr_cap_db": PSNR.cap,
            "ssim_region": "valid",
            "mask_dilation": "square 5x5",
            "flow": "farneback",
            "flow_size": "\(flowWidth)x\(flowHeight)",
        ]
    }
}
