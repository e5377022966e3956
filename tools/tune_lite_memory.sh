#!/usr/bin/env bash
# Chooses the numbers of the lite engine's background memory (Sources/ClearLite/BackgroundPlate.swift)
# on TRAINING footage, so the validation set (tools/validate_lite.sh) stays unseen. Clips:
#   the three subtitled tuning clips of tools/tune_lite_alpha.sh (same commands and seeds:
#   48 frames of Megamind.mp4 with a moving camera and cuts; 4 s of a fixed camera with temporal
#   noise on the photos building and leuvenA; random styles, all languages)
#   and the two fixed-camera clips again with `--style boxed --seed 5 --languages en,zh`
#   (semi-transparent boxes: the blocks inside a wide box need a wide context) and with
#   `--style vivid --seed 6 --languages en,zh` (thick coloured outlines, which the head misses in part);
#   and `walk`: the fixed-camera building clip with a moving object (a 90×170 crop of the training
#   photo baboon crossing at 60 px/s near the subtitles), `--style vivid` and `--style random`, seed 7;
#   and `pan`: camera pans over the photos (leuvenA: the camera moves right 2 px per frame;
#   building: right 1.5 px and up 0.5 px per frame, in whole-pixel steps of 1 and 2), `--seed 8`,
#   random styles
#   and `lead`: the two fixed-camera clips with a cue two frames in and a three-frame gap before
#   the next (classic and yellow styles, below)
# For each setting (CLEARSUB_LITE_BACKGROUND_MEMORY, see BackgroundMemorySettings(parsing:)):
# `clearsub remove --crf 10` and `clearsub eval` against the clean clip; prints per clip and the
# means: full-frame PSNR, PSNR in / outside the mask, text left (share of frames), glyph pixels left.
# Usage: tools/tune_lite_memory.sh [OUT_DIR] [CLEARSUB] [SETTING...]   (after tools/fetch_training_data.sh)
#   default settings: off, the shipped numbers, and one change of each number around them
#   TUNE_VAR=CLEARSUB_LITE_TEMPORAL_ALPHA tools/tune_lite_memory.sh OUT BIN SETTING...: the same clips
#   for another setting variable (α borrowed from neighbouring frames, TemporalAlphaSettings); its
#   outputs go to OUT/out-temporal-SETTING
set -euo pipefail
OUT="${1:-results/tune-memory}"
BIN="${2:-.build/release/clearsub}"
shift $(( $# > 2 ? 2 : $# ))
SETTINGS=("$@")
[ ${#SETTINGS[@]} -gt 0 ] || SETTINGS=(0 1 "share=0.75" "share=0.85" "guard=2" "guard=8" "stable=1" "stable=3"
  "complete=off" "complete=16" "complete=32" "still=0.93" "still=0.98" "cshare=0.9" "cshare=0.99" "context=2" "context=4" "rounds=2" "rounds=6"
  "reach=4" "reach=8" "reach=16" "hold=0" "holdstill=0.8" "holdstill=0.95" "follow=0" "follow=8" "follow=32" "fshare=0.8" "fshare=0.95")
mkdir -p "$OUT/syn" "$OUT/box" "$OUT/vivid" "$OUT/walk-vivid" "$OUT/walk-random" "$OUT/pan"
ff() { ffmpeg -nostdin -v error -y "$@"; }
[ -f "$OUT/megamind.mp4" ] || ff -i training-data/Megamind.mp4 -frames:v 48 -c:v libx264 -crf 10 -pix_fmt yuv420p "$OUT/megamind.mp4"
for photo in building leuvenA; do
  [ -f "$OUT/${photo%A}.mp4" ] || ff -loop 1 -framerate 10 -i "training-data/$photo.ppm" \
    -vf "scale=768:-2,noise=alls=4:allf=t,format=yuv420p" -frames:v 40 -c:v libx264 -crf 10 "$OUT/${photo%A}.mp4"
done
[ -f "$OUT/walk.mp4" ] || ff -loop 1 -framerate 10 -i training-data/building.ppm -loop 1 -framerate 10 -i training-data/baboon.ppm \
  -filter_complex "[1:v]scale=90:170[s];[0:v]scale=768:-2,noise=alls=4:allf=t[bg];[bg][s]overlay=x='40+t*60':y=H-230,format=yuv420p" \
  -frames:v 40 -c:v libx264 -crf 10 "$OUT/walk.mp4"
[ -f "$OUT/leuven-pan.mp4" ] || ff -loop 1 -framerate 10 -i training-data/leuvenA.ppm \
  -vf "scale=1100:-2,crop=768:432:'t*20':20,noise=alls=4:allf=t,format=yuv420p" -frames:v 40 -c:v libx264 -crf 10 "$OUT/leuven-pan.mp4"
[ -f "$OUT/building-pan.mp4" ] || ff -loop 1 -framerate 10 -i training-data/building.ppm \
  -vf "scale=1100:-2,crop=768:432:'t*15':'30-t*5',noise=alls=4:allf=t,format=yuv420p" -frames:v 40 -c:v libx264 -crf 10 "$OUT/building-pan.mp4"
for c in leuven-pan building-pan; do
  [ -f "$OUT/pan/${c}_mask.mkv" ] || "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/pan" --seed 8 --overwrite --quiet
done
for st in vivid random; do
  [ -f "$OUT/walk-$st/walk_mask.mkv" ] || "$BIN" synth "$OUT/walk.mp4" --output-dir "$OUT/walk-$st" --style $st --seed 7 --languages en,zh --overwrite --quiet
done
seed=21
for c in megamind building leuven; do
  [ -f "$OUT/syn/${c}_mask.mkv" ] || "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/syn" --seed $seed --overwrite --quiet
  seed=$((seed + 1))
done
for c in building leuven; do
  [ -f "$OUT/box/${c}_mask.mkv" ] || "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/box" --style boxed --seed 5 --languages en,zh --overwrite --quiet
  [ -f "$OUT/vivid/${c}_mask.mkv" ] || "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/vivid" --style vivid --seed 6 --languages en,zh --overwrite --quiet
done
# lead: a cue two frames into a still shot and another after a three-frame gap (0.2–1.9 s and
# 2.2–3.9 s at 10 fps, no fades), in the synth's classic (en, top) and yellow (zh, bottom) styles:
# the memory has only those frames to learn the scenery under the cues from
lead_ass() {  # FILE HEIGHT STYLE_LINE STYLE_NAME CUE1 CUE2
  printf '%s\n' "[Script Info]" "ScriptType: v4.00+" "PlayResX: 768" "PlayResY: $2" "WrapStyle: 0" "ScaledBorderAndShadow: yes" "" \
    "[V4+ Styles]" "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding" \
    "$3" "" "[Events]" "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text" \
    "Dialogue: 0,0:00:00.20,0:00:01.90,$4,,0,0,0,,$5" "Dialogue: 0,0:00:02.20,0:00:03.90,$4,,0,0,0,,$6" > "$1"
}
mkdir -p "$OUT/lead"
if [ ! -f "$OUT/lead/leuven_mask.mkv" ]; then
  lead_ass "$OUT/lead/building-cues.ass" 530 "Style: classic-en,Noto Sans,34,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,1,8,38,38,32,1" \
    classic-en "I'll be right back, wait for me here." "Be careful out there."
  lead_ass "$OUT/lead/leuven-cues.ass" 576 "Style: yellow-zh,Noto Sans CJK SC,37,&H0000EBFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,0,2,38,38,35,1" \
    yellow-zh "天色已经晚了，我们回家吧。" "明天早上再见。"
  for c in building leuven; do "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/lead" --subtitles "$OUT/lead/$c-cues.ass" --overwrite --quiet; done
fi
CASES="${CASES:-syn/megamind syn/building syn/leuven box/building box/leuven vivid/building vivid/leuven walk-vivid/walk walk-random/walk pan/leuven-pan pan/building-pan lead/building lead/leuven}"
metrics() {  # JSON: psnr in out text glyph
  tr -d '\n ' < "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join("%.3f" % d[k] for k in ("psnr","psnr_inside_mask","psnr_outside_mask","text_left_frame_ratio","text_residual_pixel_ratio")))'
}
VAR="${TUNE_VAR:-CLEARSUB_LITE_BACKGROUND_MEMORY}"
case "$VAR" in
  CLEARSUB_LITE_BACKGROUND_MEMORY) PREFIX="" ;;
  CLEARSUB_LITE_TEMPORAL_ALPHA) PREFIX="temporal-" ;;
  *) echo "tune_lite_memory.sh: TUNE_VAR must be CLEARSUB_LITE_BACKGROUND_MEMORY or CLEARSUB_LITE_TEMPORAL_ALPHA" >&2; exit 1 ;;
esac
for setting in "${SETTINGS[@]}"; do
  tag=$PREFIX$(echo "$setting" | tr ',=' '_-')
  mkdir -p "$OUT/out-$tag"
  rows=""
  for case in $CASES; do
    dir=${case%/*}; c=${case#*/}
    env "$VAR=$setting" "$BIN" remove "$OUT/$dir/${c}_subbed.mp4" --output-dir "$OUT/out-$tag/$dir" --crf 10 --overwrite --quiet
    "$BIN" eval --reference "$OUT/$c.mp4" --candidate "$OUT/out-$tag/$dir/${c}_subbed_cleaned.mp4" --mask "$OUT/$dir/${c}_mask.mkv" \
      --json "$OUT/out-$tag/$dir-$c.json" --quiet --no-warping-error >/dev/null
    m=$(metrics "$OUT/out-$tag/$dir-$c.json")
    echo "  $setting  $case  psnr/in/out/text-left/glyph-left: $m"
    rows+="$case $m"$'\n'
  done
  printf '%s' "$rows" | awk -v s="$setting" '
    { split($1, g, "/"); k = g[1]; if (!(k in n)) order[++m] = k; n[k]++; for (i = 2; i <= 6; i++) t[k, i] += $i }
    END { printf "%s ", s; for (j = 1; j <= m; j++) { k = order[j]; printf " | %s mean (%d): %.3f %.3f %.3f %.3f %.3f", k, n[k], t[k,2]/n[k], t[k,3]/n[k], t[k,4]/n[k], t[k,5]/n[k], t[k,6]/n[k] } printf "\n" }'
done
