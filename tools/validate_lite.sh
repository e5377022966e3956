#!/usr/bin/env bash
# Lite-engine validation set and baselines (issue 4), on clips never used in training
# (tools/fetch_training_data.sh holds vtest.avi, hall.mp4, and scikit-image's text.png and page.png out):
#   subtitled   the bundled hall sample (its committed subtitles and mask: seed 7, all languages,
#               random styles), and ten 4-second cuts of OpenCV's vtest.avi, one language each
#               (zh en ja ko fr de ru ar hi th), with the presets classic, yellow, boxed, random and
#               `shadow`, and two custom .ass styles (written below), which training never used
#   scene-text  scikit-image's text.png (handwritten formulas on paper) as a slow pan, subtitled at
#               the bottom; the formulas in the top 200 rows must survive (PSNR in that region)
#   clean       a vtest cut and scikit-image's page.png (a printed page, slow pan) without subtitles
# Methods, all in this run, each judged by `clearsub eval` against the clean clip:
#   input       the subtitled clip itself
#   telea       `clearsub baseline telea` with the ground-truth mask (opacity > 0, no dilation)
#   round trip  `clearsub baseline telea` with an empty mask: decode to RGB and H.264 encode only,
#               the floor of any engine behind `clearsub remove` (subtitled clips only; on clean
#               clips it is the telea row)
#   lite        `clearsub remove --crf 10` with the lite engine (no mask); on the scene-text clip also
#               `--crf 0` (lossless x264), which separates the engine's effect on the scene text from
#               the re-encode's
# Outputs at --crf 10. Clips are 40 frames at 10 fps (hall: 80), 768x576 (photo pans: 640x360).
# Writes OUT_DIR/table.md (via `clearsub eval-table OUT_DIR/manifest.tsv`); sources and clips are
# cached in OUT_DIR/src and OUT_DIR/clips between runs, every result is recomputed.
# Needs: ffmpeg, apt-get (opencv-doc), pip and unzip (the scikit-image wheel), the clearsub binary.
# Usage: tools/validate_lite.sh [OUT_DIR] [CLEARSUB_BINARY]
set -euo pipefail
OUT="${1:-validation}"
BIN="${2:-.build/release/clearsub}"
[ -x "$BIN" ] || { echo "validate_lite.sh: $BIN is not an executable; build it (swift build -c release --product clearsub) or pass its path" >&2; exit 1; }
SRC="$OUT/src"; CLIPS="$OUT/clips"; RES="$OUT/res"
mkdir -p "$SRC" "$CLIPS" "$RES"
rm -rf "${RES:?}"/* "$OUT/lite" "$OUT/lite-lossless"
: > "$OUT/manifest.tsv"
ff() { ffmpeg -nostdin -v error -y "$@"; }

# --- sources -------------------------------------------------------------------------------------
if [ ! -f "$SRC/vtest.avi" ]; then
  W="$(mktemp -d)"; ( cd "$W" && apt-get download opencv-doc >/dev/null ); dpkg-deb -x "$W"/opencv-doc_*.deb "$W/x"
  cp "$W/x/usr/share/doc/opencv-doc/examples/data/vtest.avi" "$SRC/vtest.avi"; rm -rf "$W"
fi
if [ ! -f "$SRC/text.png" ] || [ ! -f "$SRC/page.png" ]; then
  W="$(mktemp -d)"; pip download --quiet --no-deps --only-binary=:all: scikit-image -d "$W" >/dev/null
  unzip -q -j -o "$W"/scikit_image-*.whl skimage/data/text.png skimage/data/page.png -d "$SRC"; rm -rf "$W"
fi

# --- clips ---------------------------------------------------------------------------------------
SINE=(-f lavfi -t 4 -i "sine=frequency=330")
AUDIO=(-map 0:v -map 1:a -c:v libx264 -crf 12 -pix_fmt yuv420p -c:a aac -shortest)
cut() {  # NAME START: 4 s (40 frames) of vtest.avi from START s, with a sine track
  [ -f "$CLIPS/$1.mp4" ] || ff -ss "$2" -t 4 -i "$SRC/vtest.avi" "${SINE[@]}" "${AUDIO[@]}" "$CLIPS/$1.mp4"
}
pan() {  # NAME IMAGE SCALED_WxH X_EXPR Y: 40 frames of a 640x360 window moving over the scaled photo
  [ -f "$CLIPS/$1.mp4" ] || ff -loop 1 -framerate 10 -i "$SRC/$2" "${SINE[@]}" \
    -vf "scale=$3:flags=bicubic,crop=640:360:x='$4':y=$5,format=yuv420p" -frames:v 40 "${AUDIO[@]}" "$CLIPS/$1.mp4"
}
synth() {  # NAME ARGS...: burn subtitles into clips/NAME.mp4 -> clips/NAME_subbed.mp4, NAME_mask.mkv
  local name="$1"; shift
  [ -f "$CLIPS/${name}_mask.mkv" ] || "$BIN" synth "$CLIPS/$name.mp4" --output-dir "$CLIPS" --overwrite --quiet "$@"
}
ass() {  # FILE WIDTH HEIGHT STYLE_LINE CUE1 CUE2: an .ass script with one style and two cues
  cat > "$1" <<EOF
[Script Info]
ScriptType: v4.00+
PlayResX: $2
PlayResY: $3
WrapStyle: 0
ScaledBorderAndShadow: yes

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
$4

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.20,0:00:01.90,val,,0,0,0,,$5
Dialogue: 0,0:00:02.20,0:00:03.90,val,,0,0,0,,$6
EOF
}
# Custom styles: large bold yellow serif with a thick blue outline at the top; cyan with a magenta
# outline in the middle of the frame (presets only use the bottom or, in `random`, the top).
ass "$SRC/custom_fr.ass" 768 576 "Style: val,DejaVu Serif,52,&H0000FFFF,&H00FFFFFF,&H00C03000,&H00000000,-1,0,0,0,100,100,1,0,1,4,0,8,40,40,36,1" \
  "Ce n'est pas ce que je voulais dire." "On se retrouve demain matin ?"
ass "$SRC/custom_hi.ass" 768 576 "Style: val,Noto Sans Devanagari,46,&H00FFFF00,&H00FFFFFF,&H00800080,&H00000000,0,0,0,0,100,100,0,0,1,3,0,5,40,40,0,1" \
  "आज बहुत देर हो गई है।" "कल सुबह मिलते हैं।"
# The scene-text clip: the `classic` look (white, thin black outline, bottom), written out so that
# no cue can go to the top (generated cues sometimes do) and cover the scene text.
ass "$SRC/scene.ass" 640 360 "Style: val,Noto Sans CJK JP,24,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,1,0,2,32,32,22,1" \
  "Where are you going?" "来てくれてありがとう。"

cut v02 2;  synth v02 --seed 101 --languages zh --style shadow
cut v08 8;  synth v08 --seed 102 --languages en --style classic
cut v14 14; synth v14 --seed 103 --languages ja --style yellow
cut v30 30; synth v30 --seed 104 --languages ko --style boxed
cut v36 36; synth v36 --subtitles "$SRC/custom_fr.ass"
cut v42 42; synth v42 --seed 106 --languages de --style shadow
cut v48 48; synth v48 --seed 107 --languages ru --style random
cut v54 54; synth v54 --seed 108 --languages ar --style boxed
cut v60 60; synth v60 --subtitles "$SRC/custom_hi.ass"
cut v66 66; synth v66 --seed 110 --languages th --style shadow
pan scene text.png 940x362 "t*10" 1; synth scene --subtitles "$SRC/scene.ass"
cut v72 72
pan page page.png 768x382 "t*12" 10
SCENE_REGION="0,0,640,200"    # the formulas in the top rows; the subtitles stay below y = 300

# --- methods and evaluation ----------------------------------------------------------------------
empty_mask() {  # CLIP: an all-zero opacity video with CLIP's size and frame count
  local size frames
  size=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$1")
  frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1")
  local out="$RES/empty_${size}_$frames.mkv"
  [ -f "$out" ] || ff -f lavfi -i "color=c=black:size=$size:rate=10" -frames:v "$frames" -c:v ffv1 -pix_fmt gray "$out"
  echo "$out"
}
judge() {  # NAME KIND LABEL METHOD CLEAN CANDIDATE EVAL_ARGS...: one eval, one manifest line
  local name="$1" kind="$2" label="$3" method="$4" clean="$5" cand="$6"; shift 6
  local json="res/$name.${method// /_}.json"
  "$BIN" eval --reference "$clean" --candidate "$cand" --json "$OUT/$json" --quiet "$@" >/dev/null
  printf '%s\t%s\t%s\t%s\n' "$kind" "$label" "$method" "$json" >> "$OUT/manifest.tsv"
}
# Each clip: NAME KIND LABEL CLEAN SUBBED MASK(or "") REGION(or ""), one line, fields split by "|".
S=Resources/samples
T="|"
CLIPLIST="hall${T}subtitled${T}hall sample (seed 7, all languages, random styles)${T}$S/hall.mp4${T}$S/hall_subbed.mp4${T}$S/hall_mask.mkv${T}
scene${T}scene-text${T}text.png pan, en then ja, classic look at the bottom; region $SCENE_REGION${T}$CLIPS/scene.mp4${T}$CLIPS/scene_subbed.mp4${T}$CLIPS/scene_mask.mkv${T}$SCENE_REGION
v72${T}clean${T}vtest 72–76 s, no subtitles${T}$CLIPS/v72.mp4${T}$CLIPS/v72.mp4${T}${T}
page${T}clean${T}page.png pan, no subtitles${T}$CLIPS/page.mp4${T}$CLIPS/page.mp4${T}${T}"
sub() {  # NAME LABEL: a subtitled vtest cut
  CLIPLIST+=$'\n'"$1${T}subtitled${T}$2${T}$CLIPS/$1.mp4${T}$CLIPS/${1}_subbed.mp4${T}$CLIPS/${1}_mask.mkv${T}"
}
sub v02 "vtest 2–6 s, zh, shadow (unseen style)"
sub v08 "vtest 8–12 s, en, classic"
sub v14 "vtest 14–18 s, ja, yellow"
sub v30 "vtest 30–34 s, ko, boxed"
sub v36 "vtest 36–40 s, fr, custom .ass: yellow serif, blue outline, top (unseen)"
sub v42 "vtest 42–46 s, de, shadow (unseen style)"
sub v48 "vtest 48–52 s, ru, random"
sub v54 "vtest 54–58 s, ar, boxed"
sub v60 "vtest 60–64 s, hi, custom .ass: cyan, magenta outline, middle (unseen)"
sub v66 "vtest 66–70 s, th, shadow (unseen style)"

# Two passes: the baselines of every clip first (cheap), then the engine, so that an interrupted
# run still has complete baselines; `clearsub eval-table OUT_DIR/manifest.tsv` works at any point.
baselines() {  # NAME KIND LABEL CLEAN SUBBED MASK REGION
  local name="$1" kind="$2" label="$3" clean="$4" subbed="$5" mask="$6" region="$7" args=()
  [ -n "$mask" ] && args+=(--mask "$mask")
  [ -n "$region" ] && args+=(--region "$region")
  local empty; empty=$(empty_mask "$subbed")
  judge "$name" "$kind" "$label" input "$clean" "$subbed" "${args[@]}"
  "$BIN" baseline telea "$subbed" --mask "${mask:-$empty}" --output "$RES/$name.telea.mp4" --crf 10 --overwrite --quiet
  judge "$name" "$kind" "$label" telea "$clean" "$RES/$name.telea.mp4" "${args[@]}"
  if [ -n "$mask" ]; then
    "$BIN" baseline telea "$subbed" --mask "$empty" --output "$RES/$name.trip.mp4" --crf 10 --overwrite --quiet
    judge "$name" "$kind" "$label" "round trip" "$clean" "$RES/$name.trip.mp4" "${args[@]}"
  fi
}
lite() {  # NAME KIND LABEL CLEAN SUBBED MASK REGION
  local name="$1" kind="$2" label="$3" clean="$4" subbed="$5" mask="$6" region="$7" args=() start=$SECONDS
  [ -n "$mask" ] && args+=(--mask "$mask")
  [ -n "$region" ] && args+=(--region "$region")
  "$BIN" remove "$subbed" --output-dir "$OUT/lite" --crf 10 --overwrite --quiet
  judge "$name" "$kind" "$label" lite "$clean" "$OUT/lite/$(basename "${subbed%.*}")_cleaned.mp4" "${args[@]}"
  if [ "$kind" = scene-text ]; then   # the same engine with a lossless encode: the engine's own effect on the region
    "$BIN" remove "$subbed" --output-dir "$OUT/lite-lossless" --crf 0 --overwrite --quiet
    judge "$name" "$kind" "$label" "lite, --crf 0" "$clean" "$OUT/lite-lossless/$(basename "${subbed%.*}")_cleaned.mp4" "${args[@]}"
  fi
  echo "validate_lite.sh: lite on $name done in $((SECONDS - start)) s" >&2
}
for pass in baselines lite; do
  while IFS="|" read -r name kind label clean subbed mask region; do
    "$pass" "$name" "$kind" "$label" "$clean" "$subbed" "$mask" "$region"
  done <<< "$CLIPLIST"
  echo "validate_lite.sh: $pass done at $SECONDS s" >&2
done
"$BIN" eval-table "$OUT/manifest.tsv" --output "$OUT/table.md"
