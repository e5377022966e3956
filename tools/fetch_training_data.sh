#!/usr/bin/env bash
# Fetches the clean footage for lite-engine training (design §5) into DIR (default training-data/):
# real photos and clips from Debian's opencv-doc package, photos converted to binary PPM.
# Also the photos of scikit-image's data folder (PyPI wheel `scikit-image`, BSD-3).
# Held out for validation (never copied here): vtest.avi, Resources/samples/hall.mp4, and
# scikit-image's text.png and page.png (the scene-text clip of tools/validate_lite.sh).
set -euo pipefail
DIR="${1:-training-data}"
mkdir -p "$DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
( cd "$WORK" && apt-get download opencv-doc >/dev/null )
dpkg-deb -x "$WORK"/opencv-doc_*.deb "$WORK/x"
SRC="$WORK/x/usr/share/doc/opencv-doc/examples/data"
PHOTOS="graf1 graf3 chicky_512 stanford baboon fruits building home lena messi5 starry_night aero1 aero3 \
  board butterfly apple orange leuvenA leuvenB Blender_Suzanne1 HappyFish basketball1 rubberwhale1 squirrel_cls \
  sudoku smarties stuff pic1 pic3 pic5 left01 right05 aloeL ela_original licenseplate_motion"
for p in $PHOTOS; do
  f=$(ls "$SRC/$p".* 2>/dev/null | head -1 || true)
  [ -n "$f" ] || { echo "skip $p (not in this opencv-doc)"; continue; }
  ffmpeg -v error -y -i "$f" -frames:v 1 -pix_fmt rgb24 -f image2 -c:v ppm "$DIR/$p.ppm"
done
for v in tree Megamind; do
  ffmpeg -v error -y -i "$SRC/$v.avi" -frames:v 240 -c:v libx264 -crf 10 -pix_fmt yuv420p -an "$DIR/$v.mp4"
done
( cd "$WORK" && pip download --no-deps -q -d sk scikit-image >/dev/null && unzip -q -o sk/scikit_image-*.whl 'skimage/data/*' -d sk )
SK="$WORK/sk/skimage/data"
for p in astronaut brick camera chelsea coffee coins grass gravel hubble_deep_field ihc motorcycle_left \
  motorcycle_right retina rocket moon clock_motion cell color; do
  f=$(ls "$SK/$p".* 2>/dev/null | head -1 || true)
  [ -n "$f" ] || { echo "skip skimage $p (not in this scikit-image)"; continue; }
  ffmpeg -v error -y -i "$f" -frames:v 1 -pix_fmt rgb24 -f image2 -c:v ppm "$DIR/sk_$p.ppm"
done
echo "training data in $DIR: $(ls "$DIR" | wc -l) files"
