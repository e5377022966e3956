# Sourced by the lite engine's footage scripts (large_frames_lite.sh, dynamic_scenes_lite.sh, boxed_clips_lite.sh): which
# engines a run compares, and the clean-and-judge step they all run per clip. Each script declares KNOWN_ENGINES (name → VAR=VALUE settings separated
# by ";", "" for the shipped engine; a value may hold commas, as CLEARSUB_LITE_BACKGROUND_MEMORY's
# do) and a default list; the caller may set ENGINES to a space-separated list of known names or
# of NAME:VAR=VALUE[;VAR=VALUE…] entries, for example
#   ENGINES="shipped v9:CLEARSUB_LITE_WEIGHTS=results/v9/lite.safetensors" tools/large_frames_lite.sh …
# footage_args DEFAULT_OUT ARG...: the footage scripts' arguments [OUT_DIR] [CLEARSUB_BINARY]
# [TRAINING_DATA] [VALIDATION_DIR] into OUT, BIN, DATA and VAL (defaults: DEFAULT_OUT,
# .build/release/clearsub, training-data, validation); stops with a one-line error unless BIN is an
# executable. footage_inputs FILE...: stops with a one-line error unless every FILE exists.
footage_args() {
  OUT="${2:-$1}"; BIN="${3:-.build/release/clearsub}"; DATA="${4:-training-data}"; VAL="${5:-validation}"
  [ -x "$BIN" ] || { echo "$(basename "$0"): $BIN is not an executable" >&2; exit 1; }
}
footage_inputs() {
  local f
  for f in "$@"; do
    [ -f "$f" ] || { echo "$(basename "$0"): $f is missing (tools/fetch_training_data.sh, tools/validate_lite.sh)" >&2; exit 1; }
  done
}

# engine_env ENTRY sets `engine` (the name, used for output folders and rows) and the array `env`.
engine_env() {
  local entry="$1" settings
  engine="${entry%%:*}"; env=()
  if [[ "$entry" == *:* ]]; then
    settings="${entry#*:}"
  elif [ -n "${KNOWN_ENGINES[$engine]+set}" ]; then
    settings="${KNOWN_ENGINES[$engine]}"
  else
    echo "unknown engine '$engine' (known: ${!KNOWN_ENGINES[*]}; or NAME:VAR=VALUE;…)" >&2; exit 1
  fi
  [ -z "$settings" ] || IFS=';' read -r -a env <<< "$settings"
}

# clean_and_score NAME LABEL...: for every entry of ENGINE_LIST, cleans OUT/syn/NAME_subbed.mp4 with
# `clearsub remove --crf 0` into OUT/out/ENGINE, judges it with `clearsub eval` against OUT/NAME.mp4
# and the exact mask OUT/syn/NAME_mask.mkv, and appends a row (the LABELs, the engine, the metrics;
# clip_metrics.py) to OUT/results.tsv. Reads OUT, BIN and TOOLS of the calling script.
clean_and_score() {
  local n="$1"; shift
  local entry
  for entry in "${ENGINE_LIST[@]}"; do
    engine_env "$entry"
    env "${env[@]}" "$BIN" remove "$OUT/syn/${n}_subbed.mp4" --output-dir "$OUT/out/$engine" --overwrite --quiet --crf 0
    "$BIN" eval --reference "$OUT/$n.mp4" --candidate "$OUT/out/$engine/${n}_subbed_cleaned.mp4" \
      --mask "$OUT/syn/${n}_mask.mkv" --no-warping-error --quiet --json "$OUT/out/$engine/$n.json" > /dev/null
    python3 "$TOOLS/clip_metrics.py" row "$OUT/out/$engine/$n.json" "$@" "$engine" >> "$OUT/results.tsv"
  done
}
