// Hard negatives for the occlusion head (issue 4 "scene text survives"; design §5 "Data"): copies
// of still photos with text printed into the scene itself, rendered by libass from the synth
// generator. The text is part of the clean frame, so it moves with the camera while a subtitle
// stays put on the screen; the sampler never keeps the camera still over these copies (a static
// camera leaves nothing to tell the two apart).
import ClearMedia
import ClearSubtitles

public enum SceneTextSources {
    /// Up to `count` text-bearing copies of the still photos among `sources` (every other photo,
    /// in order), each with the cues of a seeded script (random languages and styles) printed in bands
    /// across the whole photo.
    public static func make(from sources: [CleanSource], count: Int, seed: UInt64) throws -> [CleanSource] {
        var out: [CleanSource] = []
        let photos = sources.filter { $0.frames.count == 1 && $0.width >= 128 && $0.height >= 128 }
        for (i, photo) in photos.enumerated() where i % 2 == 0 && out.count < count {
            var gen = SubtitleGenerator(seed: seed &+ 104_729 &* UInt64(i + 1))
            var script = gen.makeScript(width: photo.width, height: photo.height, durationSeconds: 30, preset: .random)
            // Every cue of the script, shown at once, one per band of the photo (\pos, no fades),
            // so most crops of the copy hold some of its text.
            let cues = script.events.filter { !$0.text.contains("\\fad") }
            guard !cues.isEmpty else { continue }
            let bands = max(2, photo.height / 90)
            script.events = (0..<bands).map { k in
                let cue = cues[k % cues.count]
                let x = photo.width / 2 + (k % 3 - 1) * photo.width / 5
                let y = (2 * k + 1) * photo.height / (2 * bands)
                return ASSEvent(startMs: 0, endMs: 1000, style: cue.style, text: "{\\pos(\(x),\(y))}" + cue.text)
            }
            let renderer = try SubtitleRenderer(script: script.text, width: photo.width, height: photo.height)
            var frame = RGBFrame(width: photo.width, height: photo.height, pixels: photo.frames[0])
            _ = try renderer.render(atMilliseconds: 500).composite(onto: &frame)
            var copy = CleanSource(name: photo.name + "+scene-text", width: photo.width, height: photo.height,
                                   frames: [frame.pixels])
            copy.alwaysMoving = true
            out.append(copy)
        }
        return out
    }
}
