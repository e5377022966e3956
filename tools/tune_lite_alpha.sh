#!/usr/bin/env bash
# Chooses the lite engine's two α numbers (threshold below which α is exactly 0, and the level
# counted as fully opaque; see Sources/ClearLite/AlphaMap.swift) on TRAINING footage, so the
# validation set (tools/validate_lite.sh) stays unseen. Tuning clips:
#   megamind  48 frames of training-data/Megamind.mp4 (720×528, moving camera, cuts), 2 s
#   building, leuven  4 s (40 frames at 10 fps) of a static camera on the training photos
#             building.ppm and leuvenA.ppm, with temporal noise (ffmpeg `noise`), so that the
#             long-range static-scene cue of `clearsub remove` acts as it does on a fixed camera
# each with generated subtitles (seeds 21/22/23, all languages, random styles) and without, and
#   sudoku    4 s of a slow pan (12 px/s at 10 fps) over the training photo sudoku.ppm (a
#             photographed printed page), without subtitles: false positives on printed text
# For each pair of a small grid: `clearsub remove --crf 10` on every clip, `clearsub eval` against
# its clean clip (and on the clean clip itself: false positives). Prints one line per clip and
# the mean full-frame PSNR of the three subtitled clips, the number the pair is chosen by.
# Usage: tools/tune_lite_alpha.sh [OUT_DIR] [CLEARSUB] [WEIGHTS]   (after tools/fetch_training_data.sh)
set -euo pipefail
OUT="${1:-results/tune}"
BIN="${2:-.build/release/clearsub}"
WEIGHTS="${3:-}"
mkdir -p "$OUT"
ff() { ffmpeg -nostdin -v error -y "$@"; }
ff -i training-data/Megamind.mp4 -frames:v 48 -c:v libx264 -crf 10 -pix_fmt yuv420p "$OUT/megamind.mp4"
for photo in building leuvenA; do
  ff -loop 1 -framerate 10 -i "training-data/$photo.ppm" -vf "scale=768:-2,noise=alls=4:allf=t,format=yuv420p" \
     -frames:v 40 -c:v libx264 -crf 10 "$OUT/${photo%A}.mp4"
done
CLIPS="megamind building leuven"
ff -loop 1 -framerate 10 -i training-data/sudoku.ppm -vf "scale=768:-2,crop=640:360:x='t*12':y=20,format=yuv420p" \
   -frames:v 40 -c:v libx264 -crf 10 "$OUT/sudoku.mp4"
seed=21
for c in $CLIPS; do "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/syn" --seed $seed --overwrite --quiet; seed=$((seed + 1)); done
show() { echo "$1: $(tr -d '\n ' < "$2" | grep -o '"psnr[a-z_]*":[0-9][0-9.]*' | grep -v cap | tr '\n' ' ')"; }
judge() {  # CLIP LABEL CANDIDATE JSON [--mask MASK]: eval CANDIDATE against the clean clip, print one line
  local clip="$1" label="$2" candidate="$3" json="$4"; shift 4
  "$BIN" eval --reference "$OUT/$clip.mp4" --candidate "$candidate" "$@" --json "$json" --quiet --no-warping-error >/dev/null
  show "$clip $label" "$json"
}
psnr() { tr -d '\n ' < "$1" | grep -o '"psnr":[0-9.]*' | head -1 | cut -d: -f2; }
for c in $CLIPS; do judge "$c" "input itself" "$OUT/syn/${c}_subbed.mp4" "$OUT/eval-$c-input.json" --mask "$OUT/syn/${c}_mask.mkv"; done
[ -n "$WEIGHTS" ] && export CLEARSUB_LITE_WEIGHTS="$WEIGHTS"
for pair in ${PAIRS:-"0.4,0.7" "0.5,0.8" "0.6,0.85" "0.7,0.9" "0.7,0.95" "0.8,0.95" "0.9,0.97" "0.95,0.99" "0.97,0.995"}; do
  export CLEARSUB_LITE_ALPHA_THRESHOLD="${pair%,*}" CLEARSUB_LITE_ALPHA_FULL="${pair#*,}"
  tag="$CLEARSUB_LITE_ALPHA_THRESHOLD-$CLEARSUB_LITE_ALPHA_FULL"
  echo "threshold ${pair%,*} full ${pair#*,}"
  sum=0
  for c in $CLIPS; do
    "$BIN" remove "$OUT/syn/${c}_subbed.mp4" "$OUT/$c.mp4" --output-dir "$OUT/out" --crf 10 --overwrite --quiet
    judge "$c" "" "$OUT/out/${c}_subbed_cleaned.mp4" "$OUT/eval-$c-$tag.json" --mask "$OUT/syn/${c}_mask.mkv"
    # the same clip without subtitles: what the engine changes where there is nothing to remove
    judge "$c" "without subtitles" "$OUT/out/${c}_cleaned.mp4" "$OUT/clean-$c-$tag.json"
    sum=$(awk -v a="$sum" -v b="$(psnr "$OUT/eval-$c-$tag.json")" 'BEGIN { print a + b }')
  done
  awk -v s="$sum" 'BEGIN { printf "  mean full-frame PSNR of the subtitled clips: %.2f dB\n", s / 3 }'
  "$BIN" remove "$OUT/sudoku.mp4" --output-dir "$OUT/out" --crf 10 --overwrite --quiet
  judge sudoku "(printed page, no subtitles)" "$OUT/out/sudoku_cleaned.mp4" "$OUT/clean-sudoku-$tag.json"
done
