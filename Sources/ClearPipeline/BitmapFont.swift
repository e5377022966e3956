// A tiny built-in 5×7 bitmap font (lower-case letters, digits and a few signs) for labelling
// comparison videos without depending on a font file or FFmpeg's drawtext.
import ClearMedia

enum BitmapFont {
    static let glyphWidth = 5
    static let glyphHeight = 7

    /// Rows top to bottom; "#" is ink.
    static let glyphs: [Character: [String]] = [
        "a": [".....", ".....", ".###.", "....#", ".####", "#...#", ".####"],
        "c": [".....", ".....", ".###.", "#....", "#....", "#...#", ".###."],
        "d": ["....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"],
        "e": [".....", ".....", ".###.", "#...#", "#####", "#....", ".###."],
        "i": ["..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."],
        "l": [".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "n": [".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"],
        "o": [".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."],
        "r": [".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."],
        "s": [".....", ".....", ".####", "#....", ".###.", "....#", "####."],
        "t": [".#...", ".#...", "####.", ".#...", ".#...", ".#..#", "..##."],
        "u": [".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"],
        " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
    ]

    /// Width in pixels of `text` at `scale` (one blank column between glyphs).
    static func width(of text: String, scale: Int) -> Int {
        text.isEmpty ? 0 : (text.count * (glyphWidth + 1) - 1) * scale
    }

    /// Draws `text` in white on a black box (with a `scale`-pixel margin) whose top-left corner is
    /// (x, y) in `frame`. Returns false, drawing nothing, when the box does not fit.
    @discardableResult
    static func drawLabel(_ text: String, in frame: inout RGBFrame, x: Int, y: Int, scale: Int) -> Bool {
        let boxW = width(of: text, scale: scale) + 2 * scale
        let boxH = glyphHeight * scale + 2 * scale
        guard x >= 0, y >= 0, x + boxW <= frame.width, y + boxH <= frame.height else { return false }
        fill(&frame, x: x, y: y, w: boxW, h: boxH, value: 0)
        var penX = x + scale
        for ch in text {
            let rows = glyphs[ch] ?? glyphs[" "]!
            for (r, row) in rows.enumerated() {
                for (c, ink) in row.enumerated() where ink == "#" {
                    fill(&frame, x: penX + c * scale, y: y + scale + r * scale, w: scale, h: scale, value: 255)
                }
            }
            penX += (glyphWidth + 1) * scale
        }
        return true
    }

    private static func fill(_ frame: inout RGBFrame, x: Int, y: Int, w: Int, h: Int, value: UInt8) {
        let fw = frame.width
        frame.pixels.withUnsafeMutableBufferPointer { p in
            for row in y..<(y + h) {
                let start = (row * fw + x) * 3
                for i in start..<(start + w * 3) { p[i] = value }
            }
        }
    }
}
