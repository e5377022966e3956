// The validation table of the lite engine (issue 4; tools/validate_lite.sh, `clearsub eval-table`):
// `clearsub eval --json` results of several methods on several clips, gathered into one Markdown
// table with a row per clip and method, mean rows per kind of clip and method, and the scene-text
// check (PSNR in the scene-text region of each method against the input's own, which must stay
// within 1 dB).
//
// Manifest: one line per result, tab-separated `KIND<TAB>CLIP LABEL<TAB>METHOD<TAB>JSON FILE`, with
// KIND `subtitled`, `clean` (no subtitles) or `scene-text`; empty lines and lines starting with `#`
// are skipped. Rows are grouped by clip, clips and methods in order of first appearance.
import Foundation

public struct ValidationTable: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case subtitled
        case clean
        case sceneText = "scene-text"

        var meanLabel: String {
            switch self {
            case .subtitled: return "subtitled clips"
            case .clean: return "clips without subtitles"
            case .sceneText: return "scene-text clips"
            }
        }
    }

    /// The numbers of one `clearsub eval --json` file used in the table.
    public struct Result: Sendable, Equatable {
        public var psnr: Double?
        public var ssim: Double?
        public var psnrInsideMask: Double?
        public var psnrOutsideMask: Double?
        public var textLeftFrameRatio: Double?
        public var textResidualPixelRatio: Double?
        public var warpingError: Double?
        public var psnrRegion: Double?
        /// Share of the region's pixel-frames under the dilated subtitle mask (should be 0 for a
        /// scene-text check: the subtitles must not cover the scene text).
        public var regionMaskFraction: Double?

        public init(psnr: Double? = nil, ssim: Double? = nil, psnrInsideMask: Double? = nil, psnrOutsideMask: Double? = nil,
                    textLeftFrameRatio: Double? = nil, textResidualPixelRatio: Double? = nil, warpingError: Double? = nil,
                    psnrRegion: Double? = nil, regionMaskFraction: Double? = nil) {
            self.psnr = psnr
            self.ssim = ssim
            self.psnrInsideMask = psnrInsideMask
            self.psnrOutsideMask = psnrOutsideMask
            self.textLeftFrameRatio = textLeftFrameRatio
            self.textResidualPixelRatio = textResidualPixelRatio
            self.warpingError = warpingError
            self.psnrRegion = psnrRegion
            self.regionMaskFraction = regionMaskFraction
        }

        /// Reads the keys of `clearsub eval --json` (a missing or null key is nil; `psnr` is required).
        public init(json data: Data, path: String) throws {
            guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw ValidationTableError.notEvalJSON(path)
            }
            func num(_ key: String) -> Double? { (obj[key] as? NSNumber)?.doubleValue }
            guard let psnr = num("psnr") else { throw ValidationTableError.notEvalJSON(path) }
            self.init(psnr: psnr, ssim: num("ssim"), psnrInsideMask: num("psnr_inside_mask"),
                      psnrOutsideMask: num("psnr_outside_mask"), textLeftFrameRatio: num("text_left_frame_ratio"),
                      textResidualPixelRatio: num("text_residual_pixel_ratio"),
                      warpingError: num("warping_error"), psnrRegion: num("psnr_region"),
                      regionMaskFraction: num("region_mask_fraction"))
        }
    }

    public struct Row: Sendable, Equatable {
        public var kind: Kind
        public var clip: String
        public var method: String
        public var result: Result

        public init(kind: Kind, clip: String, method: String, result: Result) {
            self.kind = kind
            self.clip = clip
            self.method = method
            self.result = result
        }
    }

    /// Largest drop of region PSNR below the baseline's that still counts as "scene text survives".
    public static let sceneTextTolerance = 1.0

    public var rows: [Row]
    /// The method the scene-text check compares against (the input itself).
    public var baselineMethod: String

    public init(rows: [Row], baselineMethod: String = "input") {
        self.rows = rows
        self.baselineMethod = baselineMethod
    }

    /// Reads a manifest and the JSON files it names (relative paths are taken from `directory`).
    public init(manifest text: String, directory: URL, baselineMethod: String = "input") throws {
        var rows: [Row] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let f = raw.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count == 4, let kind = Kind(rawValue: f[0]), !f[1].isEmpty, !f[2].isEmpty, !f[3].isEmpty else {
                throw ValidationTableError.badLine(n + 1, String(raw))
            }
            let url = f[3].hasPrefix("/") ? URL(fileURLWithPath: f[3]) : directory.appendingPathComponent(f[3])
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ValidationTableError.missingJSON(url.path)
            }
            rows.append(Row(kind: kind, clip: f[1], method: f[2], result: try Result(json: data, path: url.path)))
        }
        if rows.isEmpty { throw ValidationTableError.empty }
        self.init(rows: rows, baselineMethod: baselineMethod)
    }

    public var methods: [String] {
        var seen: [String] = []
        for r in rows where !seen.contains(r.method) { seen.append(r.method) }
        return seen
    }

    /// Mean of each column over the rows of `kind` and `method` (nil columns skipped); nil when none.
    public func mean(kind: Kind, method: String) -> (clips: Int, result: Result)? {
        let rs = rows.filter { $0.kind == kind && $0.method == method }.map(\.result)
        if rs.isEmpty { return nil }
        func avg(_ key: KeyPath<Result, Double?>) -> Double? {
            let v = rs.compactMap { $0[keyPath: key] }
            return v.isEmpty ? nil : v.reduce(0, +) / Double(v.count)
        }
        return (rs.count, Result(psnr: avg(\.psnr), ssim: avg(\.ssim), psnrInsideMask: avg(\.psnrInsideMask),
                                 psnrOutsideMask: avg(\.psnrOutsideMask), textLeftFrameRatio: avg(\.textLeftFrameRatio),
                                 textResidualPixelRatio: avg(\.textResidualPixelRatio),
                                 warpingError: avg(\.warpingError), psnrRegion: avg(\.psnrRegion)))
    }

    /// One scene-text comparison: a method's region PSNR against the baseline's on the same clip.
    public struct SceneTextCheck: Sendable, Equatable {
        public var clip: String
        public var method: String
        public var psnrRegion: Double
        public var baselinePSNRRegion: Double
        /// The baseline's `region_mask_fraction` (nil when its eval had no mask).
        public var regionMaskFraction: Double?
        public var difference: Double { psnrRegion - baselinePSNRRegion }
        public var survives: Bool { difference >= -ValidationTable.sceneTextTolerance }
    }

    public var sceneTextChecks: [SceneTextCheck] {
        var out: [SceneTextCheck] = []
        for base in rows where base.kind == .sceneText && base.method == baselineMethod {
            guard let b = base.result.psnrRegion else { continue }
            for r in rows where r.kind == .sceneText && r.clip == base.clip && r.method != baselineMethod {
                if let v = r.result.psnrRegion {
                    out.append(SceneTextCheck(clip: r.clip, method: r.method, psnrRegion: v, baselinePSNRRegion: b,
                                              regionMaskFraction: base.result.regionMaskFraction))
                }
            }
        }
        return out
    }

    /// The Markdown table, then the scene-text check as a list.
    public var markdown: String {
        func f(_ v: Double?, _ digits: Int = 2) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "—" }
        func percent(_ v: Double?) -> String { v.map { String(format: "%.1f", 100 * $0) } ?? "—" }
        func cells(_ r: Result) -> String {
            [f(r.psnr), f(r.ssim, 4), f(r.psnrInsideMask), f(r.psnrOutsideMask),
             percent(r.textLeftFrameRatio), percent(r.textResidualPixelRatio), f(r.warpingError, 3), f(r.psnrRegion)]
                .joined(separator: " | ")
        }
        var lines = ["| clip | method | PSNR | SSIM | PSNR in mask | PSNR outside mask | text left % (frames) | text pixels left % | warping error | PSNR in scene-text region |",
                     "|---|---|---|---|---|---|---|---|---|---|"]
        var clips: [String] = []
        for r in rows where !clips.contains(r.clip) { clips.append(r.clip) }
        for clip in clips {
            for m in methods {
                for r in rows where r.clip == clip && r.method == m {
                    lines.append("| \(r.clip) | \(r.method) | \(cells(r.result)) |")
                }
            }
        }
        for kind in Kind.allCases {
            for m in methods {
                if let (n, mean) = mean(kind: kind, method: m) {
                    lines.append("| **mean of \(n) \(kind.meanLabel)** | \(m) | \(cells(mean)) |")
                }
            }
        }
        let checks = sceneTextChecks
        if !checks.isEmpty {
            lines.append("")
            lines.append("Scene text (PSNR in its region, must stay within \(f(Self.sceneTextTolerance, 0)) dB of the \(baselineMethod)'s own):")
            for c in checks {
                lines.append("- \(c.clip), \(c.method): \(f(c.psnrRegion)) dB vs \(f(c.baselinePSNRRegion)) dB (\(c.difference >= 0 ? "+" : "")\(f(c.difference)) dB): \(c.survives ? "survives" : "damaged")"
                             + (c.regionMaskFraction.map { String(format: " (%.2f%% of the region under the subtitle mask)", 100 * $0) } ?? ""))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

public enum ValidationTableError: Error, CustomStringConvertible, Equatable {
    case badLine(Int, String)
    case missingJSON(String)
    case notEvalJSON(String)
    case empty

    public var description: String {
        switch self {
        case let .badLine(n, text):
            return "manifest line \(n) ('\(text)') is not KIND<TAB>CLIP<TAB>METHOD<TAB>JSON with KIND subtitled, clean or scene-text; fix that line"
        case let .missingJSON(p):
            return "\(p) does not exist; run `clearsub eval --json \(p)` first or fix the manifest"
        case let .notEvalJSON(p):
            return "\(p) is not a `clearsub eval --json` result (no psnr); regenerate it with `clearsub eval --json`"
        case .empty:
            return "the manifest lists no results; add KIND<TAB>CLIP<TAB>METHOD<TAB>JSON lines"
        }
    }
}
