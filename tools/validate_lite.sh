#!/usr/bin/env bash
# Lite-engine validation (issue 4) on clips never used in training: the bundled hall sample (with
# its committed subtitles and mask), three other cuts of OpenCV's vtest.avi (held out of
# tools/fetch_training_data.sh) subtitled with other seeds, languages and styles (incl. `shadow`,
# which training never used), and one clip without subtitles. Each: `clearsub remove --crf 10`,
# then `clearsub eval` of the result and of the input itself (baseline) against the clean clip.
# Cuts are 4 s (40 frames) to keep the run short on 2 cores.
# Usage: tools/validate_lite.sh [OUT_DIR] [CLEARSUB] ; writes OUT_DIR/table.md
set -euo pipefail
OUT="${1:-validation}"
BIN="${2:-.build/release/clearsub}"
mkdir -p "$OUT"
if [ ! -f "$OUT/vtest.avi" ]; then
  W="$(mktemp -d)"; ( cd "$W" && apt-get download opencv-doc >/dev/null ); dpkg-deb -x "$W"/opencv-doc_*.deb "$W/x"
  cp "$W/x/usr/share/doc/opencv-doc/examples/data/vtest.avi" "$OUT/vtest.avi"; rm -rf "$W"
fi
cut() {  # NAME START: a 4-second cut, H.264 CRF 12, with a sine audio track
  ffmpeg -nostdin -v error -y -ss "$2" -t 4 -i "$OUT/vtest.avi" -f lavfi -t 4 -i "sine=frequency=330" \
    -map 0:v -map 1:a -c:v libx264 -crf 12 -pix_fmt yuv420p -c:a aac -shortest "$OUT/$1.mp4"
}
run() {  # NAME CLEAN SUBBED MASK
  local name="$1" clean="$2" subbed="$3" mask="$4" m=()
  [ -n "$mask" ] && m=(--mask "$mask")
  "$BIN" eval --reference "$clean" --candidate "$subbed" "${m[@]}" --json "$OUT/$name.input.json" --quiet --no-warping-error >/dev/null
  "$BIN" remove "$subbed" --output-dir "$OUT/out-$name" --crf 10 --overwrite --quiet
  local cleaned; cleaned="$OUT/out-$name/$(basename "${subbed%.*}")_cleaned.mp4"
  "$BIN" eval --reference "$clean" --candidate "$cleaned" "${m[@]}" --json "$OUT/$name.lite.json" --quiet >/dev/null
}
run hall Resources/samples/hall.mp4 Resources/samples/hall_subbed.mp4 Resources/samples/hall_mask.mkv
cut v40 40; "$BIN" synth "$OUT/v40.mp4" --output-dir "$OUT/syn" --seed 11 --languages zh,ja --style shadow --overwrite --quiet
cut v55 55; "$BIN" synth "$OUT/v55.mp4" --output-dir "$OUT/syn" --seed 12 --languages ar,hi,th --style boxed --overwrite --quiet
cut v70 70; "$BIN" synth "$OUT/v70.mp4" --output-dir "$OUT/syn" --seed 13 --languages ko,ru,de,fr,en --style yellow --overwrite --quiet
for n in v40 v55 v70; do run "$n" "$OUT/$n.mp4" "$OUT/syn/${n}_subbed.mp4" "$OUT/syn/${n}_mask.mkv"; done
run nosub Resources/samples/hall.mp4 Resources/samples/hall.mp4 ""
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
rows = [("hall", "hall sample (seed 7, all languages, random styles)"), ("v40", "vtest 40–44 s, zh+ja, shadow (unseen style)"),
        ("v55", "vtest 55–59 s, ar+hi+th, boxed"), ("v70", "vtest 70–74 s, ko+ru+de+fr+en, yellow"), ("nosub", "hall, no subtitles")]
f = lambda v: "—" if v is None else f"{v:.2f}"
lines = ["| clip | method | PSNR | SSIM | PSNR in mask | PSNR outside mask | warping error |", "|---|---|---|---|---|---|---|"]
agg = {"input": [], "lite": []}
for key, label in rows:
    for method in ("input", "lite"):
        j = json.load(open(f"{out}/{key}.{method}.json"))
        if key != "nosub": agg[method].append(j)
        lines.append(f"| {label} | {method} | {f(j['psnr'])} | {j['ssim']:.4f} | {f(j['psnr_inside_mask'])} | {f(j['psnr_outside_mask'])} | {f(j.get('warping_error'))} |")
for method, js in agg.items():
    mean = lambda k: sum(x[k] for x in js) / len(js)
    lines.append(f"| **mean of the 4 subtitled clips** | {method} | {mean('psnr'):.2f} | {mean('ssim'):.4f} | {mean('psnr_inside_mask'):.2f} | {mean('psnr_outside_mask'):.2f} | |")
open(f"{out}/table.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
