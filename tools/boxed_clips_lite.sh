#!/usr/bin/env bash
# The lite engine on semi-transparent subtitle boxes (MODEL_CARD.md "Subtitle boxes"): six 2-second
# clips (10 fps) — two cuts of Megamind.mp4, one of tree.mp4, three of OpenCV's vtest.avi at times
# the validation set does not use — each at 1280x720, 1920x1080, 2560x1440 and 1080x1920 (portrait:
# cut to 9:16 from the middle first), subtitled by `clearsub synth --style boxed` (seeds 61–66),
# cleaned with `clearsub remove --crf 0` as shipped (`shipped`) and without the box finder (`off`:
# `CLEARSUB_LITE_BOXES=0`), each judged by `clearsub eval` against the clean clip with the exact mask.
# These were the held-out clips of the seventeenth session's rule (never looked at before it).
# ENGINES (environment, tools/lite_engines.sh) picks the engines, default "shipped off"; SIZES the sizes;
# STARTS and SEEDS (six numbers each, for fa…ff) another set of cuts and cues. The eighteenth
# session's sets (MODEL_CARD.md "Subtitle boxes, second look"): set 2 STARTS="1 5.5 11 12 26 46"
# SEEDS="71 72 73 74 75 76", set 3 STARTS="2 6.5 13 16 34 58" SEEDS="81 82 83 84 85 86", set 4 (its
# held-out set) STARTS="0.5 4 2 8 38 70" SEEDS="91 92 93 94 95 96", set 5 STARTS="1.5 8 7 22 30 54"
# SEEDS="101 102 103 104 105 106"; the nineteenth session's held-out set 6 STARTS="0 7.5 9 18 44 76"
# SEEDS="111 112 113 114 115 116", and set 7 (held out for its second rule) STARTS="2.5 5 14 24 48 66"
# SEEDS="121 122 123 124 125 126"; the twentieth session's held-out sets 8 STARTS="3.5 6 4 28 56 62"
# SEEDS="131 132 133 134 135 136" and 9 STARTS="4 4.5 10 32 60 68" SEEDS="141 142 143 144 145 146"
# (MODEL_CARD.md "Subtitle boxes, fourth look"); the twenty-first session's held-out set 10
# STARTS="0.25 6.75 12 20 40.5 73" SEEDS="151 152 153 154 155 156" (MODEL_CARD.md "Subtitle boxes,
# fifth look").
# Sources: tools/fetch_training_data.sh (Megamind.mp4, tree.mp4) and VALIDATION_DIR/src/vtest.avi
# (tools/validate_lite.sh caches it there).
# Prints one line per clip, size and engine, and the means per size and engine.
# Usage: tools/boxed_clips_lite.sh [OUT_DIR] [CLEARSUB_BINARY] [TRAINING_DATA] [VALIDATION_DIR]
set -euo pipefail
TOOLS="$(cd "$(dirname "$0")" && pwd)"
source "$TOOLS/lite_engines.sh"
footage_args results/boxed-clips "$@"
footage_inputs "$DATA/Megamind.mp4" "$DATA/tree.mp4" "$VAL/src/vtest.avi"
declare -A KNOWN_ENGINES=([shipped]="" [off]="CLEARSUB_LITE_BOXES=0")
read -r -a SIZE_LIST <<< "${SIZES:-1280x720 1920x1080 2560x1440 1080x1920}"
read -r -a ENGINE_LIST <<< "${ENGINES:-shipped off}"
mkdir -p "$OUT/syn" "$OUT/out"
ff() { ffmpeg -nostdin -v error -y "$@"; }
CLIPS=(fa fb fc fd fe ff)
declare -A SRC=([fa]="$DATA/Megamind.mp4" [fb]="$DATA/Megamind.mp4" [fc]="$DATA/tree.mp4"
                [fd]="$VAL/src/vtest.avi" [fe]="$VAL/src/vtest.avi" [ff]="$VAL/src/vtest.avi")
read -r -a START_LIST <<< "${STARTS:-3 7 5 40 52 64}"
read -r -a SEED_LIST <<< "${SEEDS:-61 62 63 64 65 66}"
[ "${#START_LIST[@]}" -eq 6 ] && [ "${#SEED_LIST[@]}" -eq 6 ] || { echo "boxed_clips_lite.sh: STARTS and SEEDS need six numbers each" >&2; exit 2; }
declare -A START SEED
for i in "${!CLIPS[@]}"; do START[${CLIPS[$i]}]="${START_LIST[$i]}"; SEED[${CLIPS[$i]}]="${SEED_LIST[$i]}"; done
: > "$OUT/results.tsv"
for c in "${CLIPS[@]}"; do
  for size in "${SIZE_LIST[@]}"; do
    w="${size%x*}"; h="${size#*x}"
    if [ "$h" -gt "$w" ]; then vf="crop=ih*9/16:ih,scale=$size:flags=bicubic,fps=10"
    else vf="scale=$size:flags=bicubic,fps=10"; fi
    n="${c}_${size}"
    [ -f "$OUT/$n.mp4" ] || ff -ss "${START[$c]}" -i "${SRC[$c]}" -t 2 -vf "$vf" \
      -c:v libx264 -crf 12 -pix_fmt yuv420p -an "$OUT/$n.mp4"
    [ -f "$OUT/syn/${n}_mask.mkv" ] || "$BIN" synth "$OUT/$n.mp4" --output-dir "$OUT/syn" --overwrite --quiet \
      --seed "${SEED[$c]}" --style boxed
    clean_and_score "$n" "$c" "$size"
  done
done
python3 "$TOOLS/clip_metrics.py" summary "$OUT/results.tsv" --sort size engine
