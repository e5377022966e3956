# clearsub — the two set-up commands of the README:
#   make demo   installs what is missing, builds in release mode, burns subtitles into the sample (synth),
#               removes the bundled sample's subtitles with the default lite engine (+ comparison)
#               and evaluates it against the clean sample
#   make test   runs the test suite
SHELL := /bin/bash
APT_PACKAGES := ffmpeg libdnnl-dev libass-dev pkg-config fonts-noto-core fonts-noto-cjk fonts-dejavu-core
SAMPLE := Resources/samples/hall.mp4
DEMO_OUT := demo-out
CLEARSUB := .build/release/clearsub

.PHONY: deps build demo test clean weights

# Reproduces the shipped lite weights (Sources/ClearLite/Weights/MODEL_CARD.md): fetches the clean
# training footage (Debian opencv-doc, PyPI scikit-image), Stage I, Stage II (v5), then the v8
# fine-tune with the `vivid` style and moving objects (hard negatives) added, then the hole network
# (head and restoration fixed; subtitled windows through x264), seeded. About 1 hour 40 minutes on
# 2 cores; the result replaces the bundled file. CLEARSUB_SIMD=portable keeps the
# kernels v5 was trained with (oneDNN sigmoid, portable Swift elementwise), so the run reproduces
# the shipped file bit for bit on any x86-64 CPU; the AVX-512 kernel set would round differently.
WEIGHTS_OUT := Sources/ClearLite/Weights/lite.safetensors
weights: export CLEARSUB_SIMD = portable
weights: build
	[ -d training-data ] || tools/fetch_training_data.sh training-data
	mkdir -p results/v5 results/hole
	$(CLEARSUB) train stage1 --steps 200 --batch 6 --seed 1 --document-pages 6 --out results/prior.safetensors
	$(CLEARSUB) train stage2 --steps 10000 --batch 6 --seed 1 --document-pages 6 --prior results/prior.safetensors --out results/v5/lite.safetensors
	$(CLEARSUB) train stage2 --resume results/v5/lite.safetensors --steps 1500 --batch 6 --seed 2 --lr 2.5e-4 --document-pages 6 \
	  --styles random,random,classic,yellow,boxed,vivid --moving-objects 0.3 --out results/lite.safetensors
	$(CLEARSUB) train stage2 --resume results/lite.safetensors --hole --steps 4000 --batch 6 --seed 1 --lr 1e-3 --document-pages 6 \
	  --styles random,random,classic,yellow,boxed,vivid --moving-objects 0.3 --codec-crf 12,18,24 --out results/hole/lite.safetensors
	cp results/hole/lite.safetensors $(WEIGHTS_OUT)

# Installs the Debian packages clearsub needs, only those missing (needs root or sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	swift build -c release

demo: build
	mkdir -p $(DEMO_OUT)
	$(CLEARSUB) synth $(SAMPLE) --output-dir $(DEMO_OUT) --seed 7 --overwrite
	$(CLEARSUB) eval --reference $(SAMPLE) --candidate $(DEMO_OUT)/hall_subbed.mp4 --mask $(DEMO_OUT)/hall_mask.mkv --json $(DEMO_OUT)/eval.json
	$(CLEARSUB) remove Resources/samples/hall_subbed.mp4 --output-dir $(DEMO_OUT) --create-comparison --overwrite
	$(CLEARSUB) eval --reference $(SAMPLE) --candidate $(DEMO_OUT)/hall_subbed_cleaned.mp4 --mask Resources/samples/hall_mask.mkv --json $(DEMO_OUT)/eval_cleaned.json
	@echo "demo outputs in $(DEMO_OUT)/"

test: deps
	swift test --disable-swift-testing

clean:
	rm -rf .build $(DEMO_OUT)
