// libass through its C API: one ASS_Library + ASS_Renderer + ASS_Track per object, rendering a
// script at a given time into `RenderedSubtitles` (copied bitmaps) for compositing and masks.
//
// Not Sendable on purpose: libass renderers and tracks are not thread-safe, so each thread (or
// task) that renders creates its own `SubtitleRenderer`; the compiler then keeps it there.
import CLibass
#if canImport(Glibc)
import Glibc
#endif

public final class SubtitleRenderer {
    /// Text shaping: `complex` (HarfBuzz: Arabic joining, Devanagari conjuncts, Thai marks) or
    /// `simple` (FriBidi only; for comparison in tests).
    public enum Shaping: Sendable { case simple, complex }

    public let width: Int
    public let height: Int
    private let library: OpaquePointer
    private let renderer: OpaquePointer
    private let track: UnsafeMutablePointer<ASS_Track>
    private let log: MessageLog

    /// Parses `script` (ASS text) for a `width`×`height` video. `origin` names the script in errors.
    /// Throws if libass cannot start or parse the script.
    public init(script: String, width: Int, height: Int, shaping: Shaping = .complex,
                origin: String = "subtitle script") throws {
        guard width > 0, height > 0 else {
            throw SubtitleError.frameSizeMismatch(expected: "a positive frame size", got: "\(width)x\(height)")
        }
        self.width = width
        self.height = height
        let log = MessageLog()
        self.log = log
        guard let lib = ass_library_init() else { throw SubtitleError.libassInitFailed("ass_library_init") }
        // libass prints warnings (e.g. missing glyph fallbacks) to stderr by default; keep stderr
        // for our own one-line errors and collect them in `messages` instead.
        ass_set_message_cb(lib, { level, format, args, data in
            guard level <= 4, let format, let args, let data else { return }   // errors, warnings, info
            var buffer = [CChar](repeating: 0, count: 512)
            _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, args) }
            Unmanaged<MessageLog>.fromOpaque(data).takeUnretainedValue().append(String(cString: buffer))
        }, Unmanaged.passUnretained(log).toOpaque())
        guard let r = ass_renderer_init(lib) else {
            ass_library_done(lib)
            throw SubtitleError.libassInitFailed("ass_renderer_init")
        }
        ass_set_frame_size(r, Int32(width), Int32(height))
        ass_set_storage_size(r, Int32(width), Int32(height))
        ass_set_shaper(r, shaping == .complex ? ASS_SHAPING_COMPLEX : ASS_SHAPING_SIMPLE)
        ass_set_fonts(r, nil, "sans-serif", Int32(ASS_FONTPROVIDER_FONTCONFIG.rawValue), nil, 1)
        var bytes = Array(script.utf8CString)
        let t = bytes.withUnsafeMutableBufferPointer { buf in
            ass_read_memory(lib, buf.baseAddress, buf.count - 1, nil)
        }
        guard let t else {
            ass_renderer_done(r)
            ass_library_done(lib)
            throw SubtitleError.scriptUnreadable(origin)
        }
        library = lib
        renderer = r
        track = t
    }

    deinit {
        ass_free_track(track)
        ass_renderer_done(renderer)
        ass_library_done(library)
    }

    /// libass's messages so far (errors, warnings and info: e.g. "Glyph 0x… not found, selecting
    /// one more font"), newest last, at most `MessageLog.limit`.
    public var messages: [String] { log.lines }

    /// Number of dialogue events libass read from the script.
    public var eventCount: Int { Int(track.pointee.n_events) }

    /// Number of styles libass read (including its implicit "Default").
    public var styleCount: Int { Int(track.pointee.n_styles) }

    /// Names of the styles libass read.
    public var styleNames: [String] {
        (0..<styleCount).map { i in
            track.pointee.styles[i].Name.map { String(cString: $0) } ?? ""
        }
    }

    /// Renders the subtitles visible at `milliseconds` (libass shows an event when
    /// start ≤ t < end). The bitmaps are copied, so the result outlives the next call.
    public func render(atMilliseconds milliseconds: Int64) -> RenderedSubtitles {
        var changed: Int32 = 0
        var images: [SubtitleBitmap] = []
        var node = ass_render_frame(renderer, track, milliseconds, &changed)
        while let img = node {
            let i = img.pointee
            node = i.next
            // Clip to the frame (libass keeps images inside it; this guards the copy regardless).
            let x0 = max(0, Int(i.dst_x)), y0 = max(0, Int(i.dst_y))
            let x1 = min(width, Int(i.dst_x) + Int(i.w)), y1 = min(height, Int(i.dst_y) + Int(i.h))
            guard x1 > x0, y1 > y0, let src = i.bitmap else { continue }
            let w = x1 - x0, h = y1 - y0
            var alpha = [UInt8](repeating: 0, count: w * h)
            let stride = Int(i.stride), sx = x0 - Int(i.dst_x), sy = y0 - Int(i.dst_y)
            alpha.withUnsafeMutableBufferPointer { dst in
                for row in 0..<h {
                    let from = src + (sy + row) * stride + sx
                    (dst.baseAddress! + row * w).update(from: from, count: w)
                }
            }
            let kind: SubtitleBitmap.Kind
            switch i.type {
            case IMAGE_TYPE_OUTLINE: kind = .outline
            case IMAGE_TYPE_SHADOW: kind = .shadow
            default: kind = .character
            }
            images.append(SubtitleBitmap(x: x0, y: y0, width: w, height: h, alpha: alpha,
                                         rgba: i.color, kind: kind))
        }
        return RenderedSubtitles(frameWidth: width, frameHeight: height, bitmaps: images)
    }
}

/// Collects libass messages for one renderer (only touched from the renderer's own thread).
final class MessageLog {
    static let limit = 200
    private(set) var lines: [String] = []

    func append(_ line: String) {
        if lines.count < Self.limit { lines.append(line) }
    }
}
