// `clearsub eval --reference CLEAN --candidate CLEANED [--mask MASK] [--json FILE] [--max-frames N]
// [--region x,y,w,h]` (shared/design.md §1.2): PSNR, SSIM, PSNR inside / outside the subtitle mask,
// the text-left frame rate (with a mask), PSNR in a rectangle (with --region) and the temporal
// warping error, as a table on stdout and optionally one JSON object. Bad input ends with one line
// `clearsub: error: …` on stderr and exit status 1.
import ArgumentParser
import ClearMedia
import ClearMetrics
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare a cleaned video with its clean reference: PSNR, SSIM, masked PSNR, warping error.",
        discussion: """
        psnr: mean over frames of the per-frame PSNR (RGB, MAX 255); psnr_clip: PSNR of the MSE over \
        the whole clip. Identical frames have infinite PSNR, reported as 100 dB. ssim: Wang et al. \
        2004 on luma (11x11 Gaussian window, sigma 1.5), mean over the valid region, then over frames. \
        Masked PSNR: the mask's pixels with opacity > 0, dilated by a 5x5 square, accumulated over the \
        clip (null without a mask or when the mask is empty). text_left_frame_ratio: among frames whose \
        mask has text (opacity >= 0.5), the share where more than 10% of those text pixels still differ \
        from the reference by more than 40 levels (max over RGB); text_residual_pixel_ratio: the share of \
        all such text pixels that do. psnr_region: PSNR over the --region \
        rectangle, whole clip. warping_error: mean absolute RGB \
        difference (0-255) between candidate frame t warped onto t+1 with the reference's optical \
        flow and candidate frame t+1, on non-occluded pixels, averaged over pairs (null for one frame).
        """)

    @Option(name: .long, help: ArgumentHelp("The clean video (ground truth).", valueName: "CLEAN"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("The video to judge (e.g. NAME_cleaned.mp4).", valueName: "CLEANED"))
    var candidate: String

    @Option(name: .long, help: ArgumentHelp("Subtitle opacity video (NAME_mask.mkv from `clearsub synth`).", valueName: "MASK"))
    var mask: String?

    @Option(name: .long, help: ArgumentHelp("Also write the results as one JSON object to this file.", valueName: "FILE"))
    var json: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate only the first N frames.", valueName: "N"))
    var maxFrames: Int?

    @Option(name: .long, help: ArgumentHelp("Also report PSNR inside this rectangle (e.g. scene text that must survive).", valueName: "x,y,w,h"))
    var region: String?

    @Flag(name: .long, help: "Skip the temporal warping error (the slowest metric).")
    var noWarpingError = false

    @Flag(name: .long, help: "No progress line on stderr.")
    var quiet = false

    func run() throws {
        do {
            try evaluate()
        } catch let e as ExitCode {
            throw e
        } catch {
            let line = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "evaluation failed"
            FileHandle.standardError.write(Data("clearsub: error: \(line)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func evaluate() throws {
        if let n = maxFrames, n < 1 { throw MetricsError.invalidMaxFrames(n) }
        if let j = json {
            let dir = (j as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !dir.isEmpty && !(FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
                throw EvalCommandError.jsonDirectoryMissing(j)
            }
        }
        let start = Date()
        let showProgress = !quiet && isatty(STDERR_FILENO) != 0
        let options = EvaluationOptions(maxFrames: maxFrames, warpingError: !noWarpingError,
                                        region: try region.map(PixelRect.init(parsing:)))
        let report = try VideoEvaluator.evaluate(
            reference: reference, candidate: candidate, mask: mask, options: options,
            progress: showProgress ? { done, total in
                let secs = Date().timeIntervalSince(start)
                let line = String(format: "\reval: frame %d/%d  %.1f fps", done, total, Double(done) / max(secs, 1e-9))
                FileHandle.standardError.write(Data(line.utf8))
            } : nil)
        if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let seconds = Date().timeIntervalSince(start)
        print(Self.table(report, reference: reference, candidate: candidate, mask: mask, seconds: seconds))
        if let j = json {
            var obj = report.jsonObject()
            obj["reference"] = reference
            obj["candidate"] = candidate
            obj["mask"] = mask ?? NSNull()
            obj["seconds"] = (seconds * 1000).rounded() / 1000
            let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            do {
                try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: j), options: .atomic)
            } catch {
                throw EvalCommandError.jsonNotWritable(j)
            }
        }
    }

    static func table(_ r: MetricsReport, reference: String, candidate: String, mask: String?, seconds: Double) -> String {
        func fmt(_ v: Double?, _ unit: String, _ digits: Int = 2) -> String {
            guard let v else { return "n/a" }
            return String(format: "%.\(digits)f", v) + unit
        }
        let capNote = r.psnr >= PSNR.cap || r.psnrClip >= PSNR.cap ? "  (identical frames count as \(Int(PSNR.cap)) dB)" : ""
        var rows: [(String, String)] = [
            ("PSNR (mean of frames)", fmt(r.psnr, " dB") + capNote),
            ("PSNR (whole clip)", fmt(r.psnrClip, " dB")),
            ("SSIM (luma)", fmt(r.ssim, "", 4)),
            ("PSNR inside mask", mask == nil ? "n/a (no --mask)" : fmt(r.psnrInsideMask, " dB") + (r.psnrInsideMask == nil ? " (mask empty)" : "")),
            ("PSNR outside mask", mask == nil ? "n/a (no --mask)" : fmt(r.psnrOutsideMask, " dB")),
            ("warping error", r.warpingError == nil ? "n/a" : fmt(r.warpingError, "", 3) + String(format: "  (%d pairs, %.1f%% pixels visible)", r.warpingPairs, 100 * (r.warpingVisibleFraction ?? 0))),
        ]
        if let f = r.maskFraction { rows.insert(("mask area (dilated)", String(format: "%.2f%%", 100 * f)), at: 5) }
        if mask != nil {
            let left = r.textLeftFrameRatio.map { String(format: "%.2f%%  (%d of %d frames with text)", 100 * $0, r.textLeftFrames, r.textFrames) }
            rows.insert(("text left (frames)", left ?? "n/a (no text in the mask)"), at: rows.count - 1)
            if let p = r.textResidualPixelRatio {
                rows.insert(("text pixels left", String(format: "%.2f%%  (of %d text pixels)", 100 * p, r.textPixels)), at: rows.count - 1)
            }
        }
        if let rect = r.region {
            let overlap = r.regionMaskFraction.map { String(format: "  (%.2f%% of it under the mask)", 100 * $0) } ?? ""
            rows.insert(("PSNR in region \(rect)", fmt(r.psnrRegion, " dB") + overlap), at: rows.count - 1)
        }
        let width = rows.map(\.0.count).max() ?? 0
        var out = "reference  \(reference)\ncandidate  \(candidate)\n"
        if let m = mask { out += "mask       \(m)\n" }
        out += "\(r.frames) frames, \(r.width)x\(r.height), \(String(format: "%.1f", seconds)) s\n"
        for (k, v) in rows { out += k.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v + "\n" }
        return String(out.dropLast())
    }
}

enum EvalCommandError: Error, CustomStringConvertible {
    case jsonDirectoryMissing(String)
    case jsonNotWritable(String)

    var description: String {
        switch self {
        case .jsonDirectoryMissing(let p):
            return "--json \(p): the folder does not exist; create it or pass another path"
        case .jsonNotWritable(let p):
            return "--json \(p): cannot write the file; check the path and its permissions"
        }
    }
}
