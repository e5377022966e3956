// Acceptance on the real sample: synth with the default CRF keeps the video faithful outside the
// subtitles (PSNR outside the 2-px-dilated mask > 48 dB) while the subtitles are clearly there
// (PSNR inside < 22 dB). Also what `clearsub eval --mask` will report for subbed vs clean.
import XCTest
import Foundation
import ClearMedia
@testable import ClearSubtitles

final class SampleAcceptanceTests: XCTestCase {
    func testSampleFaithfulOutsideSubtitles() throws {
        let dir = try TestSupport.temporaryDirectory("accept")
        defer { try? FileManager.default.removeItem(at: dir) }
        let info = try VideoProbe.probe(TestSupport.sampleVideo)
        let request = SynthRequest(outputDirectory: dir.path, seed: 7)
        let out = try SubtitleBurner.run(info, request: request)
        let m = try TestSupport.maskedPSNR(reference: info.path, candidate: out.video, mask: out.mask)
        print(String(format: "hall.mp4 seed 7 crf %d: PSNR outside %.2f dB, inside %.2f dB (%d frames, %d px inside)",
                     request.crf, m.outside, m.inside, m.frames, m.insidePixels))
        XCTAssertEqual(m.frames, 80)
        XCTAssertGreaterThan(m.outside, 48)
        XCTAssertLessThan(m.inside, 22)
    }
}
