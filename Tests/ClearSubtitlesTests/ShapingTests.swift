// Complex text shaping through libass + HarfBuzz: Arabic letters join (a joined word is narrower
// than its letters drawn apart), Devanagari conjuncts form (complex differs from simple shaping),
// Thai marks render; the fonts the generator names are installed.
import XCTest
import Foundation
@testable import ClearSubtitles

final class ShapingTests: XCTestCase {
    func glyphWidth(_ text: String, font: String, shaping: SubtitleRenderer.Shaping = .complex) throws -> Int {
        let renderer = try SubtitleRenderer(script: TestSupport.script(text, font: font, size: 48),
                                            width: 800, height: 200, shaping: shaping)
        return try XCTUnwrap(renderer.render(atMilliseconds: 1000).inkBounds(kinds: [.character])).width
    }

    func testArabicWordJoins() throws {
        let letters = ["س", "ل", "ا", "م"]   // "salaam": seen, laam, alif, meem
        let joined = try glyphWidth(letters.joined(), font: "Noto Sans Arabic")
        // The same letters with zero-width non-joiners between them: isolated forms.
        let apart = try glyphWidth(letters.joined(separator: "\u{200C}"), font: "Noto Sans Arabic")
        let sumOfIsolated = try letters.map { try glyphWidth($0, font: "Noto Sans Arabic") }.reduce(0, +)
        XCTAssertLessThan(joined, apart)
        XCTAssertLessThan(joined, sumOfIsolated)
    }

    func testDevanagariConjunctNeedsComplexShaping() throws {
        let word = "क्षत्रिय"
        let complex = try SubtitleRenderer(script: TestSupport.script(word, font: "Noto Sans Devanagari", size: 48),
                                           width: 800, height: 200, shaping: .complex).render(atMilliseconds: 1000)
        let simple = try SubtitleRenderer(script: TestSupport.script(word, font: "Noto Sans Devanagari", size: 48),
                                          width: 800, height: 200, shaping: .simple).render(atMilliseconds: 1000)
        let wc = try XCTUnwrap(complex.inkBounds(kinds: [.character])).width
        let ws = try XCTUnwrap(simple.inkBounds(kinds: [.character])).width
        // Without shaping the viramas stay visible and the conjuncts do not form: a wider word.
        XCTAssertLessThan(wc, ws)
    }

    func testThaiRendersWithMarks() throws {
        let r = try SubtitleRenderer(script: TestSupport.script("ไม่มีใครเห็น", font: "Noto Sans Thai", size: 48),
                                     width: 800, height: 200).render(atMilliseconds: 1000)
        XCTAssertNotNil(r.inkBounds(kinds: [.character]))
    }

    func testGeneratorFontsAreInstalled() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/fc-list")
        p.arguments = [":", "family"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let families = Set(text.split(whereSeparator: \.isNewline).flatMap { $0.split(separator: ",").map(String.init) })
        for family in SubtitleLanguage.allFontFamilies {
            XCTAssertTrue(families.contains(family), "font family '\(family)' is not installed (fc-list)")
        }
    }
}
