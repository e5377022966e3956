#!/usr/bin/env bash
# The lite engine on frames larger than its training footage (MODEL_CARD.md "Large frames"):
# five 2-second clips (10 fps) scaled to 1280x720, 1920x1080, 2560x1440 and 3840x2160, subtitled by
# `clearsub synth` at each size (libass draws the subtitles at the frame's own scale), cleaned with
# `clearsub remove --crf 0` twice: as shipped (the head's scale and the background memory's follow the
# frame size: `LiteEngine.headFactor`, `LiteEngine.memoryScale`) and as before the fourteenth session
# (head at half resolution and the memory's numbers as chosen at 720p whatever the size:
# `CLEARSUB_LITE_HEAD_FACTOR=2 CLEARSUB_LITE_MEMORY_SCALE=1`, column "head" = before), each judged by
# `clearsub eval` against the clean clip with the exact mask.
# SIZES (environment) picks the sizes, default "1280x720 1920x1080 2560x1440 3840x2160"; portrait
# sizes (taller than wide, e.g. 720x1280 1080x1920) are cut to 9:16 from the middle of the clip
# first, and their rows are labelled WxH. ENGINES (environment, tools/lite_engines.sh) picks the
# engines, default "shipped before".
# Sources: Megamind.mp4 and tree.mp4 of the training data (tools/fetch_training_data.sh), and the
# validation cuts v02 and v14 (tools/validate_lite.sh writes them to VALIDATION_DIR/clips).
# Prints one line per clip, size and head scale, and the means per size and head scale.
# Usage: tools/large_frames_lite.sh [OUT_DIR] [CLEARSUB_BINARY] [TRAINING_DATA] [VALIDATION_DIR]
set -euo pipefail
TOOLS="$(cd "$(dirname "$0")" && pwd)"
source "$TOOLS/lite_engines.sh"
footage_args results/large-frames "$@"
footage_inputs "$DATA/Megamind.mp4" "$DATA/tree.mp4" "$VAL/clips/v02.mp4" "$VAL/clips/v14.mp4"
declare -A KNOWN_ENGINES=([shipped]="" [before]="CLEARSUB_LITE_HEAD_FACTOR=2;CLEARSUB_LITE_MEMORY_SCALE=1")
read -r -a SIZE_LIST <<< "${SIZES:-1280x720 1920x1080 2560x1440 3840x2160}"
read -r -a ENGINE_LIST <<< "${ENGINES:-shipped before}"
mkdir -p "$OUT/syn" "$OUT/out"
ff() { ffmpeg -nostdin -v error -y "$@"; }
CLIPS=(mega megay v02 v14b tree)
declare -A SRC=([mega]="$DATA/Megamind.mp4" [megay]="$DATA/Megamind.mp4" [v02]="$VAL/clips/v02.mp4" [v14b]="$VAL/clips/v14.mp4" [tree]="$DATA/tree.mp4")
declare -A START=([mega]=2 [megay]=5 [v02]=0 [v14b]=0 [tree]=0)
declare -A STYLE=([mega]=classic [megay]=yellow [v02]=classic [v14b]=boxed [tree]=random)
declare -A SEED=([mega]=11 [megay]=12 [v02]=3 [v14b]=13 [tree]=14)
: > "$OUT/results.tsv"
for c in "${CLIPS[@]}"; do
  for size in "${SIZE_LIST[@]}"; do
    w="${size%x*}"; h="${size#*x}"
    if [ "$h" -gt "$w" ]; then label="$size"; vf="crop=ih*9/16:ih,scale=$size:flags=bicubic,fps=10"
    else label="$h"; vf="scale=$size:flags=bicubic,fps=10"; fi
    n="${c}_${label}"
    [ -f "$OUT/$n.mp4" ] || ff -ss "${START[$c]}" -i "${SRC[$c]}" -t 2 -vf "$vf" \
      -c:v libx264 -crf 12 -pix_fmt yuv420p -an "$OUT/$n.mp4"
    [ -f "$OUT/syn/${n}_mask.mkv" ] || "$BIN" synth "$OUT/$n.mp4" --output-dir "$OUT/syn" --overwrite --quiet \
      --seed "${SEED[$c]}" --style "${STYLE[$c]}"
    clean_and_score "$n" "$c" "$label"
  done
done
python3 "$TOOLS/clip_metrics.py" summary "$OUT/results.tsv" --sort size engine
