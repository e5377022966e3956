// Parity of the Swift SentencePiece unigram tokenizer with sentencepiece 0.2 and transformers'
// T5TokenizerFast (prepend "▁" always, eos, max_length 512) on two small unigram models trained by
// tools/make_wan_vae_t5_fixtures.py: nmt_nfkc without byte fallback, identity with byte fallback.
import Foundation
import XCTest
@testable import ClearWan

final class TokenizerParityTests: XCTestCase {
    struct Entry { let text: String, cleaned: String, spm: [Int], hf: [Int]?, hfLen: Int? }

    func entries(_ model: String) throws -> [Entry] {
        let data = try Data(contentsOf: URL(fileURLWithPath: WanFixtures.path("t5/tokenizer_ids.json")))
        let all = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let m = all[model] as! [String: Any]
        return (m["entries"] as! [[String: Any]]).map {
            Entry(text: $0["text"] as! String, cleaned: $0["cleaned"] as! String, spm: $0["spm_ids"] as! [Int],
                  hf: $0["hf_ids"] as? [Int], hfLen: $0["hf_len"] as? Int)
        }
    }

    func testNFKCModelMatchesHuggingFaceAndSentencePiece() throws {
        let tok = try SentencePieceTokenizer(path: WanFixtures.path("t5/tiny_unigram.model"))
        XCTAssertEqual(tok.pieceCount, 565)
        XCTAssertEqual([tok.padId, tok.eosId, tok.bosId, tok.unkId], [0, 1, 2, 3])
        XCTAssertFalse(tok.byteFallback)
        let es = try entries("tiny_unigram")
        XCTAssertEqual(es.count, 31)
        var mismatches: [String] = []
        for e in es {
            let (ids, mask) = tok.wanTokens(e.cleaned, clean: false)
            let len = mask.reduce(0, +)
            XCTAssertEqual(ids.count, 512)
            XCTAssertTrue(ids[len...].allSatisfy { $0 == 0 })
            let got = Array(ids.prefix(len))
            if got != e.hf! || len != e.hfLen! || Array(got.prefix(511)) != Array(e.spm.prefix(511)) {
                mismatches.append("\(e.cleaned.prefix(40)): got \(got.prefix(24)) want \(e.hf!.prefix(24))")
            }
        }
        XCTAssertEqual(mismatches, [])
    }

    func testTokenizerJSONMatchesHuggingFace() throws {
        // the fixture's charsmap is blanked; it is the .model's normalizer_spec bytes
        let proto = try SentencePieceModelProto(bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: WanFixtures.path("t5/tiny_unigram.model")))))
        XCTAssertGreaterThan(proto.precompiledCharsMap.count, 1000)
        let tok = try SentencePieceTokenizer(tokenizerJSON: WanFixtures.path("t5/tiny_unigram.tokenizer.json"),
                                             charsMapOverride: proto.precompiledCharsMap)
        XCTAssertEqual([tok.padId, tok.eosId, tok.unkId, tok.pieceCount], [0, 1, 3, 565])
        var mismatches: [String] = []
        for e in try entries("tiny_unigram") {
            let (ids, mask) = tok.wanTokens(e.cleaned, clean: false)
            let got = Array(ids.prefix(mask.reduce(0, +)))
            if got != e.hf! { mismatches.append("\(e.cleaned.prefix(40)): got \(got.prefix(24)) want \(e.hf!.prefix(24))") }
        }
        XCTAssertEqual(mismatches, [])
    }

    func testByteFallbackModelMatchesSentencePiece() throws {
        let tok = try SentencePieceTokenizer(path: WanFixtures.path("t5/tiny_unigram_bytes.model"))
        XCTAssertTrue(tok.byteFallback)
        var mismatches: [String] = []
        var sawBytes = false
        for e in try entries("tiny_unigram_bytes") {
            let (ids, mask) = tok.wanTokens(e.cleaned, clean: false)
            let got = Array(ids.prefix(mask.reduce(0, +)))
            if got != e.spm { mismatches.append("\(e.cleaned.prefix(40)): got \(got.prefix(24)) want \(e.spm.prefix(24))") }
            sawBytes = sawBytes || got.contains { tok.piece($0).hasPrefix("<0x") }
        }
        XCTAssertEqual(mismatches, [])
        XCTAssertTrue(sawBytes, "the fixture strings must exercise byte fallback")
    }

    func testCleanerMatchesPrompterWhereFtfyIsIdentity() throws {
        // ftfy.fix_text also uncurls quotes, fixes ligatures and full-width forms; the Swift cleaner
        // does not. Strings free of those match exactly.
        var checked = 0
        for e in try entries("tiny_unigram") {
            let ftfyChars = e.text.unicodeScalars.contains { (0x2018...0x201F).contains($0.value) || (0xFB00...0xFB06).contains($0.value)
                || (0xFF00...0xFFEF).contains($0.value) || (0x2460...0x24FF).contains($0.value) || (0x3300...0x33FF).contains($0.value) }
            if ftfyChars { continue }
            XCTAssertEqual(WanPromptCleaner.clean(e.text), e.cleaned, "\(e.text)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testOpenFolderFindsTheTokenizerFile() throws {
        let fm = FileManager.default
        let dir = NSTemporaryDirectory() + "umt5-tok-\(UUID().uuidString)"
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        XCTAssertThrowsError(try SentencePieceTokenizer.open(folder: dir)) { error in
            XCTAssertTrue("\(error)".contains("tokenizer.json") && "\(error)".contains("spiece.model"), "\(error)")
        }
        try fm.copyItem(atPath: WanFixtures.path("t5/tiny_unigram_bytes.model"), toPath: dir + "/spiece.model")
        XCTAssertTrue(try SentencePieceTokenizer.open(folder: dir).byteFallback)
        // tokenizer.json wins when both exist (it is what the reference's AutoTokenizer reads)
        try fm.copyItem(atPath: WanFixtures.path("t5/tiny_unigram.tokenizer.json"), toPath: dir + "/tokenizer.json")
        let tok = try SentencePieceTokenizer.open(folder: dir)
        XCTAssertFalse(tok.byteFallback)
        XCTAssertEqual(tok.pieceCount, 565)
    }

    func testRejectsMalformedModels() {
        XCTAssertThrowsError(try SentencePieceTokenizer(modelBytes: [0x0A, 0x05, 0x01]))
        XCTAssertThrowsError(try SentencePieceTokenizer(modelBytes: []))
    }
}
