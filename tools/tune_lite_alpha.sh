#!/usr/bin/env bash
# Chooses the lite engine's two α numbers (threshold below which α is exactly 0, and the level
# counted as fully opaque; see Sources/ClearLite/AlphaMap.swift) on TRAINING footage, so the
# validation set (tools/validate_lite.sh) stays unseen: 48 frames of training-data/Megamind.mp4 (720×528) with
# generated subtitles (seed 21, all languages, random styles), `clearsub remove --crf 10` for
# each pair of a small grid, `clearsub eval` against the clean cut, and the same on the clean cut
# itself (false positives). Prints two lines per pair.
# Usage: tools/tune_lite_alpha.sh [OUT_DIR] [CLEARSUB] [WEIGHTS]   (after tools/fetch_training_data.sh)
set -euo pipefail
OUT="${1:-results/tune}"
BIN="${2:-.build/release/clearsub}"
WEIGHTS="${3:-}"
mkdir -p "$OUT"
ffmpeg -nostdin -v error -y -i training-data/Megamind.mp4 -frames:v 48 -c:v libx264 -crf 10 -pix_fmt yuv420p "$OUT/megamind.mp4"
"$BIN" synth "$OUT/megamind.mp4" --output-dir "$OUT/syn" --seed 21 --overwrite --quiet
show() { echo "$1: $(tr -d '\n ' < "$2" | grep -o '"psnr[a-z_]*":[0-9][0-9.]*' | grep -v cap | tr '\n' ' ')"; }
judge() {  # LABEL CANDIDATE JSON [--mask MASK]: eval CANDIDATE against the clean cut, print one line
  local label="$1" candidate="$2" json="$3"; shift 3
  "$BIN" eval --reference "$OUT/megamind.mp4" --candidate "$candidate" "$@" --json "$json" --quiet --no-warping-error >/dev/null
  show "$label" "$json"
}
MASK=(--mask "$OUT/syn/megamind_mask.mkv")
judge "input itself" "$OUT/syn/megamind_subbed.mp4" "$OUT/eval-input.json" "${MASK[@]}"
export CLEARSUB_EXPERIMENTAL_LITE=1
[ -n "$WEIGHTS" ] && export CLEARSUB_LITE_WEIGHTS="$WEIGHTS"
for pair in ${PAIRS:-"0.4,0.7" "0.5,0.8" "0.6,0.85" "0.7,0.9" "0.7,0.95" "0.8,0.95" "0.9,0.97" "0.95,0.99" "0.97,0.995"}; do
  export CLEARSUB_LITE_ALPHA_THRESHOLD="${pair%,*}" CLEARSUB_LITE_ALPHA_FULL="${pair#*,}"
  tag="$CLEARSUB_LITE_ALPHA_THRESHOLD-$CLEARSUB_LITE_ALPHA_FULL"
  "$BIN" remove "$OUT/syn/megamind_subbed.mp4" "$OUT/megamind.mp4" --output-dir "$OUT/out" --crf 10 --overwrite --quiet
  judge "threshold ${pair%,*} full ${pair#*,}" "$OUT/out/megamind_subbed_cleaned.mp4" "$OUT/eval-$tag.json" "${MASK[@]}"
  # the same clip without subtitles: what the engine changes where there is nothing to remove
  judge "  same clip without subtitles" "$OUT/out/megamind_cleaned.mp4" "$OUT/clean-$tag.json"
done
