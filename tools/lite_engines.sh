# Sourced by the lite engine's footage scripts (large_frames_lite.sh, dynamic_scenes_lite.sh): which
# engines a run compares. Each script declares KNOWN_ENGINES (name → VAR=VALUE settings separated
# by ";", "" for the shipped engine; a value may hold commas, as CLEARSUB_LITE_BACKGROUND_MEMORY's
# do) and a default list; the caller may set ENGINES to a space-separated list of known names or
# of NAME:VAR=VALUE[;VAR=VALUE…] entries, for example
#   ENGINES="shipped v9:CLEARSUB_LITE_WEIGHTS=results/v9/lite.safetensors" tools/large_frames_lite.sh …
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
