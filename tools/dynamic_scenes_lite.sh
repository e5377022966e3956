#!/usr/bin/env bash
# The lite engine's background memory on footage that moves (MODEL_CARD.md "The freshness rule"):
# seven 2-second clips (10 fps) scaled to 1280x720 — three cuts of Megamind.mp4 (characters moving,
# camera moves and shot changes), two of tree.mp4, two of OpenCV's vtest.avi at times the
# validation set does not use (people walking past a fixed camera) — subtitled by `clearsub synth`
# (seeds 31–37, one style each), cleaned with `clearsub remove --crf 0` three times: as shipped
# (`shipped`), with the push-pull fill instead of the directional one (`pushpull`:
# `CLEARSUB_LITE_FILL=pushpull`) and, in addition, with the memory's freshness rule off
# (`before`: `CLEARSUB_LITE_BACKGROUND_MEMORY=fresh=off`, the engine before the fifteenth session;
# MODEL_CARD.md "The freshness rule", "The directional fill"), each judged by `clearsub eval`
# against the clean clip with the exact mask.
# ENGINES (environment, tools/lite_engines.sh) picks the engines, default "shipped pushpull before".
# Sources: tools/fetch_training_data.sh (Megamind.mp4, tree.mp4) and VALIDATION_DIR/src/vtest.avi
# (tools/validate_lite.sh caches it there).
# Prints one line per clip and engine, and the means per engine.
# Usage: tools/dynamic_scenes_lite.sh [OUT_DIR] [CLEARSUB_BINARY] [TRAINING_DATA] [VALIDATION_DIR]
set -euo pipefail
TOOLS="$(cd "$(dirname "$0")" && pwd)"
source "$TOOLS/lite_engines.sh"
footage_args results/dynamic-scenes "$@"
footage_inputs "$DATA/Megamind.mp4" "$DATA/tree.mp4" "$VAL/src/vtest.avi"
declare -A KNOWN_ENGINES=([shipped]="" [pushpull]="CLEARSUB_LITE_FILL=pushpull"
                          [before]="CLEARSUB_LITE_FILL=pushpull;CLEARSUB_LITE_BACKGROUND_MEMORY=fresh=off")
read -r -a ENGINE_LIST <<< "${ENGINES:-shipped pushpull before}"
mkdir -p "$OUT/syn" "$OUT/out"
ff() { ffmpeg -nostdin -v error -y "$@"; }
CLIPS=(mA mB mC tA tB vA vB)
declare -A SRC=([mA]="$DATA/Megamind.mp4" [mB]="$DATA/Megamind.mp4" [mC]="$DATA/Megamind.mp4"
                [tA]="$DATA/tree.mp4" [tB]="$DATA/tree.mp4" [vA]="$VAL/src/vtest.avi" [vB]="$VAL/src/vtest.avi")
declare -A START=([mA]=0 [mB]=3.5 [mC]=7.5 [tA]=4 [tB]=9 [vA]=20 [vB]=24)
declare -A STYLE=([mA]=random [mB]=classic [mC]=yellow [tA]=classic [tB]=boxed [vA]=random [vB]=yellow)
declare -A SEED=([mA]=31 [mB]=32 [mC]=33 [tA]=34 [tB]=35 [vA]=36 [vB]=37)
: > "$OUT/results.tsv"
for c in "${CLIPS[@]}"; do
  [ -f "$OUT/$c.mp4" ] || ff -ss "${START[$c]}" -i "${SRC[$c]}" -t 2 -vf "scale=1280x720:flags=bicubic,fps=10" \
    -c:v libx264 -crf 12 -pix_fmt yuv420p -an "$OUT/$c.mp4"
  [ -f "$OUT/syn/${c}_mask.mkv" ] || "$BIN" synth "$OUT/$c.mp4" --output-dir "$OUT/syn" --overwrite --quiet \
    --seed "${SEED[$c]}" --style "${STYLE[$c]}"
  clean_and_score "$c" "$c"
done
python3 "$TOOLS/clip_metrics.py" summary "$OUT/results.tsv" engine
