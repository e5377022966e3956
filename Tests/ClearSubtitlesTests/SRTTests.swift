// SRT → ASS conversion: timing (both separators, BOM, CRLF, index lines), multi-line cues, tags,
// entities and braces, errors with line numbers, and the converted script rendering in libass.
import XCTest
@testable import ClearSubtitles

final class SRTTests: XCTestCase {
    let sample = "\u{FEFF}1\r\n00:00:01,000 --> 00:00:02,500\r\nHello <i>world</i>\r\nsecond line\r\n\r\n"
        + "2\n00:00:03.250 --> 00:00:04.000 X1:10 X2:20\n<font color=\"#FF8000\">Orange</font> &amp; <b>bold</b> {braces}\n\n"
        + "00:01:02,005 --> 01:00:00,000\n{\\an8}Top &lt;3\n"

    func testParseTimingAndLines() throws {
        let cues = try SRTConverter.parse(sample)
        XCTAssertEqual(cues.count, 3)
        XCTAssertEqual(cues[0].startMs, 1000)
        XCTAssertEqual(cues[0].endMs, 2500)
        XCTAssertEqual(cues[0].lines, ["Hello <i>world</i>", "second line"])
        XCTAssertEqual(cues[1].startMs, 3250)
        XCTAssertEqual(cues[1].endMs, 4000)
        XCTAssertEqual(cues[2].startMs, 62005)
        XCTAssertEqual(cues[2].endMs, 3_600_000)
    }

    func testTagsEntitiesAndBraces() throws {
        let cues = try SRTConverter.parse(sample)
        XCTAssertEqual(SRTConverter.assText(cues[0].lines), "Hello {\\i1}world{\\i0}\\Nsecond line")
        XCTAssertEqual(SRTConverter.assText(cues[1].lines),
                       "{\\c&H0080FF&}Orange{\\c} & {\\b1}bold{\\b0} \\{braces\\}")
        XCTAssertEqual(SRTConverter.assText(cues[2].lines), "{\\an8}Top <3")
        XCTAssertEqual(SRTConverter.assText(["<u>u</u><s>s</s><span>x</span>"]), "{\\u1}u{\\u0}{\\s1}s{\\s0}x")
    }

    func testASSTimeFormatting() {
        XCTAssertEqual(ASSTime.format(ms: 0), "0:00:00.00")
        XCTAssertEqual(ASSTime.format(ms: 1999), "0:00:02.00")
        XCTAssertEqual(ASSTime.format(ms: 62005), "0:01:02.01")
        XCTAssertEqual(ASSTime.format(ms: 3_600_000 + 59_990), "1:00:59.99")
    }

    func testErrorsNameTheLine() {
        XCTAssertThrowsError(try SRTConverter.parse("1\n00:00:01,000 -> 00:00:02,000\nx\n", origin: "a.srt")) { e in
            guard case .srtSyntax(let path, let line, _)? = e as? SubtitleError else { return XCTFail("\(e)") }
            XCTAssertEqual(path, "a.srt")
            XCTAssertEqual(line, 1)
        }
        XCTAssertThrowsError(try SRTConverter.parse("1\n00:00:01,000 --> 00:0x:02,000\nx\n", origin: "b.srt")) { e in
            guard case .srtSyntax(_, let line, _)? = e as? SubtitleError else { return XCTFail("\(e)") }
            XCTAssertEqual(line, 2)
            XCTAssertTrue("\(e)".contains("b.srt:2:"))
        }
        XCTAssertThrowsError(try SRTConverter.script(fromSRT: "\n\n", width: 64, height: 64, preset: .classic, seed: 0)) { e in
            XCTAssertEqual(e as? SubtitleError, .noEvents("subtitles.srt"))
        }
    }

    func testConvertedScriptRendersAtCueTimes() throws {
        let script = try SRTConverter.script(fromSRT: sample, width: 640, height: 360, preset: .classic, seed: 1)
        XCTAssertEqual(script.events.count, 3)
        XCTAssertTrue(script.styles.allSatisfy { $0.name.hasPrefix("classic-") })
        let r = try SubtitleRenderer(script: script.text, width: 640, height: 360)
        XCTAssertEqual(r.eventCount, 3)
        XCTAssertFalse(r.render(atMilliseconds: 1500).isEmpty)
        XCTAssertTrue(r.render(atMilliseconds: 2700).isEmpty)
        // Two lines are taller than one.
        let two = try XCTUnwrap(r.render(atMilliseconds: 1500).inkBounds(kinds: [.character]))
        let one = try XCTUnwrap(r.render(atMilliseconds: 3500).inkBounds(kinds: [.character]))
        XCTAssertGreaterThan(two.height, one.height * 3 / 2)
        // {\an8} moves the third cue to the top.
        let top = try XCTUnwrap(r.render(atMilliseconds: 70_000).inkBounds(kinds: [.character]))
        XCTAssertLessThan(top.maxY, 180)
    }

    func testScriptGuessPicksFonts() throws {
        let srt = "1\n00:00:00,000 --> 00:00:01,000\nこんにちは\n\n2\n00:00:01,000 --> 00:00:02,000\nمرحبا\n"
        let s = try SRTConverter.script(fromSRT: srt, width: 320, height: 240, preset: .yellow, seed: 0)
        XCTAssertEqual(s.styles.map(\.fontName), ["Noto Sans CJK JP", "Noto Sans Arabic"])
    }
}
