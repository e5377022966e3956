// The seeded cue generator: deterministic per seed, cues inside the video with gaps, styles and
// languages as asked, every language's phrases render real glyphs in the fonts the generator picks,
// presets and the PRNG behave.
import XCTest
@testable import ClearSubtitles

final class GeneratorTests: XCTestCase {
    func script(seed: UInt64, languages: [SubtitleLanguage] = SubtitleLanguage.allCases,
                preset: StylePreset = .random, seconds: Double = 20) -> ASSScript {
        var g = SubtitleGenerator(seed: seed)
        return g.makeScript(width: 768, height: 576, durationSeconds: seconds, languages: languages, preset: preset)
    }

    func testSameSeedSameScriptDifferentSeedDifferentScript() {
        XCTAssertEqual(script(seed: 42).text, script(seed: 42).text)
        XCTAssertNotEqual(script(seed: 42).text, script(seed: 43).text)
    }

    func testSplitMix64ReferenceValues() {
        var r = SeededRandom(seed: 0)
        XCTAssertEqual(r.next(), 0xE220_A839_7B1D_CDAF)
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        for _ in 0..<100 {
            let x = a.int(3...7)
            XCTAssertTrue((3...7).contains(x))
            XCTAssertEqual(x, b.int(3...7))
            let u = a.unit()
            XCTAssertTrue(u >= 0 && u < 1)
            _ = b.unit()
        }
    }

    func testCuesLieInsideTheVideoWithGaps() {
        for seed in UInt64(0)..<20 {
            let s = script(seed: seed, seconds: 12)
            XCTAssertFalse(s.events.isEmpty)
            let styleNames = Set(s.styles.map(\.name))
            var lastEnd = -1000, lastStart = -1
            for e in s.events {
                XCTAssertGreaterThanOrEqual(e.startMs, 0)
                XCTAssertLessThanOrEqual(e.endMs, 12000)
                XCTAssertLessThan(e.startMs, e.endMs)
                XCTAssertTrue(styleNames.contains(e.style))
                if e.startMs != lastStart {   // a simultaneous partner cue shares the start
                    XCTAssertGreaterThanOrEqual(e.startMs - lastEnd, 300, "seed \(seed): cues without a gap")
                }
                lastStart = e.startMs
                lastEnd = e.endMs
            }
        }
    }

    func testVeryShortClipStillGetsACue() {
        let s = script(seed: 1, seconds: 0.3)
        XCTAssertEqual(s.events.count >= 1, true)
        XCTAssertLessThanOrEqual(s.events[0].endMs, 300)
    }

    func testLanguageSelectionDrivesFontsAndPhrases() {
        let s = script(seed: 5, languages: [.ar])
        XCTAssertTrue(s.styles.allSatisfy { SubtitleLanguage.ar.fontFamilies.contains($0.fontName) })
        for e in s.events {
            XCTAssertEqual(SubtitleLanguage.guess(for: e.text), .ar)
        }
    }

    func testLanguageListParsing() throws {
        XCTAssertEqual(try SubtitleLanguage.parseList("zh, EN,zh"), [.zh, .en])
        XCTAssertThrowsError(try SubtitleLanguage.parseList("zh,xx")) { error in
            XCTAssertEqual(error as? SubtitleError, .unknownLanguage("xx"))
        }
        XCTAssertThrowsError(try SubtitleLanguage.parseList(" , "))
        XCTAssertEqual(SubtitleLanguage.allCodes, "zh,en,ja,ko,fr,de,ru,ar,hi,th")
    }

    func testPhraseListsAndScriptGuess() {
        for lang in SubtitleLanguage.allCases {
            XCTAssertTrue((10...20).contains(lang.phrases.count), "\(lang)")
            XCTAssertEqual(Set(lang.phrases).count, lang.phrases.count, "\(lang): duplicate phrases")
            if ![.en, .fr, .de].contains(lang) {
                for p in lang.phrases { XCTAssertEqual(SubtitleLanguage.guess(for: p), lang, p) }
            }
        }
    }

    /// Every phrase of every language, in every font the generator may pick for it, renders glyphs
    /// and needs no fallback font (libass reports none missing).
    func testEveryLanguageRendersInItsFonts() throws {
        for lang in SubtitleLanguage.allCases {
            for font in lang.fontFamilies {
                var s = ASSScript(playResX: 960, playResY: 240)
                s.addStyle(ASSStyle(name: "S", fontName: font, fontSize: 40, primary: .white, outlineColor: .black,
                                    backColor: .black, outline: 0, shadow: 0, marginL: 10, marginR: 10, marginV: 10))
                for (k, p) in lang.phrases.enumerated() {
                    s.events.append(ASSEvent(startMs: k * 1000, endMs: k * 1000 + 1000, style: "S", text: p))
                }
                let r = try SubtitleRenderer(script: s.text, width: 960, height: 240)
                for (k, p) in lang.phrases.enumerated() {
                    let out = r.render(atMilliseconds: Int64(k * 1000 + 500))
                    let ink = out.inkBounds(kinds: [.character])
                    XCTAssertNotNil(ink, "\(lang) \(font): '\(p)' rendered nothing")
                    XCTAssertGreaterThan(ink?.width ?? 0, 40, "\(lang) \(font): '\(p)'")
                }
                let missing = r.messages.filter { $0.contains("not found") || $0.contains("fallback") }
                XCTAssertEqual(missing, [], "\(lang) \(font)")
            }
        }
    }

    func testPresetsGiveParsableScripts() throws {
        for preset in StylePreset.allCases {
            let s = script(seed: 3, preset: preset, seconds: 8)
            let r = try SubtitleRenderer(script: s.text, width: 768, height: 576)
            XCTAssertEqual(r.eventCount, s.events.count, "\(preset)")
            XCTAssertEqual(Set(r.styleNames).isSuperset(of: s.styles.map(\.name)), true)
            if preset != .random {
                XCTAssertTrue(s.styles.allSatisfy { $0.name.hasPrefix(preset.rawValue) })
            }
        }
        XCTAssertEqual(try StylePreset(parsing: "Boxed"), .boxed)
        XCTAssertThrowsError(try StylePreset(parsing: "neon"))
    }

    func testRandomStylesVary() {
        let styles = (UInt64(0)..<30).flatMap { script(seed: $0).styles }
        XCTAssertGreaterThan(Set(styles.map(\.fontName)).count, 8)
        XCTAssertTrue(styles.contains { $0.borderStyle == .boxPerLine })
        XCTAssertTrue(styles.contains { $0.borderStyle == .boxBehindEvent })
        XCTAssertTrue(styles.contains { $0.alignment == .topCenter })
        XCTAssertTrue(styles.contains { $0.italic })
        XCTAssertTrue(styles.contains { $0.shadow > 0 })
        XCTAssertTrue(styles.allSatisfy { $0.outline >= 0 && $0.fontSize >= 576 * 0.045 - 1 })
        let texts = (UInt64(0)..<30).flatMap { script(seed: $0).events.map(\.text) }
        XCTAssertTrue(texts.contains { $0.contains("\\fad(") })
        XCTAssertTrue(texts.contains { $0.contains("\\N") })
    }

    /// `vivid`: thick outlines of many hues (not only dark ones), at the bottom, top and middle.
    func testVividStylesHaveThickColouredOutlines() {
        let styles = (UInt64(0)..<30).flatMap { script(seed: $0, preset: .vivid).styles }
        XCTAssertTrue(styles.allSatisfy { $0.borderStyle == .outline && $0.outline >= 2 && $0.outline <= 5 })
        XCTAssertTrue(styles.contains { $0.alignment == .middleCenter })
        XCTAssertTrue(styles.contains { $0.alignment == .topCenter })
        XCTAssertTrue(styles.contains { $0.alignment == .bottomCenter })
        let dominant = Set(styles.map { s -> Int in
            let c = [s.outlineColor.red, s.outlineColor.green, s.outlineColor.blue]
            return c.firstIndex(of: c.max()!)!
        })
        XCTAssertEqual(dominant, [0, 1, 2], "outlines of red, green and blue dominance")
        XCTAssertEqual(StylePreset.hueColor(0, value: 1), ASSColor(red: 255, green: 0, blue: 0))
        XCTAssertEqual(StylePreset.hueColor(240, value: 0.5), ASSColor(red: 0, green: 0, blue: 128))
        XCTAssertEqual(StylePreset.hueColor(300, value: 1), ASSColor(red: 255, green: 0, blue: 255))
        XCTAssertEqual(StylePreset.hueColor(-120, value: 1), StylePreset.hueColor(240, value: 1))
        XCTAssertEqual(StylePreset.hueColor(720, value: 2), ASSColor(red: 255, green: 0, blue: 0))
    }

    func testScriptTextHasTheSections() {
        let t = script(seed: 1).text
        for needle in ["[Script Info]", "PlayResX: 768", "PlayResY: 576", "[V4+ Styles]", "[Events]", "Dialogue: 0,"] {
            XCTAssertTrue(t.contains(needle), needle)
        }
    }
}
