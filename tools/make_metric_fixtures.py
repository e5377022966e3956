#!/usr/bin/env python3
"""Fixtures for Tests/ClearMetricsTests, computed independently of the Swift code.

Writes into Tests/ClearMetricsTests/Fixtures/:
  metrics_reference.rgb   T frames of H x W x 3 uint8 (raw, row-major, frame after frame)
  metrics_candidate.rgb   the same layout: reference + noise, a faint subtitle residue inside the mask
  metrics_mask.gray       T frames of H x W uint8 subtitle opacity (frame 1 is empty)
  metrics_flow_opencv.f32 OpenCV Farneback flow reference frame 0 -> 1, H x W x 2 float32 (u, v)
  metrics_expected.json   sizes, the translation, and the expected metric values

The reference clip is a smooth analytic texture (a sum of sinusoids) translated by a known sub-pixel
vector every frame, so the true flow is known exactly. Expected values:
  - PSNR per frame / mean / whole clip: numpy, MSE over all three channels, MAX 255.
  - SSIM: scikit-image structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=255) on luma 0.299R + 0.587G + 0.114B; cross-checked
    against a direct numpy "valid"-region implementation.
  - Masked PSNR: scipy binary_dilation(opacity > 0, 5x5 square), squared errors accumulated over
    the clip.
  - Warping error: candidate frame t warped onto t+1 with the ground-truth flow
    (scipy map_coordinates, bilinear), mean absolute error over RGB on in-bounds pixels, averaged
    over pairs.
Run: python3 -m venv tools/.venv && tools/.venv/bin/pip install numpy scipy scikit-image opencv-python-headless
     tools/.venv/bin/python tools/make_metric_fixtures.py
"""
import json
import os

import cv2
import numpy as np
from scipy import ndimage
from skimage.metrics import structural_similarity

W, H, T = 64, 48, 3
SHIFT = (1.35, -0.6)  # (dx, dy) per frame: frame t+1 content = frame t content moved by SHIFT
SEED = 20261125
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ClearMetricsTests", "Fixtures")


def texture(rng):
    """Smooth RGB texture as a function of continuous coordinates (x, y)."""
    waves = []
    for _ in range(7):
        period = rng.uniform(11.0, 30.0)
        angle = rng.uniform(0, np.pi)
        waves.append((np.cos(angle) / period, np.sin(angle) / period, rng.uniform(0, 2 * np.pi),
                      rng.uniform(6.0, 14.0, size=3)))

    def image(x, y):
        out = np.full(x.shape + (3,), 128.0)
        for fx, fy, phase, amps in waves:
            s = np.sin(2 * np.pi * (fx * x + fy * y) + phase)
            out += s[..., None] * amps[None, None, :]
        return out

    return image


def luma(rgb):
    rgb = rgb.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def ssim_valid(a, b):
    """Wang et al. 2004 SSIM, 11x11 Gaussian window sigma 1.5, mean over the valid region."""
    r = 5
    g = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * 1.5 ** 2))
    g /= g.sum()

    def filt(img):
        rows = np.stack([np.convolve(row, g, mode="valid") for row in img])
        return np.stack([np.convolve(col, g, mode="valid") for col in rows.T]).T

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = filt(a), filt(b)
    vx, vy, cxy = filt(a * a) - mx * mx, filt(b * b) - my * my, filt(a * b) - mx * my
    m = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(m.mean())


def psnr(mse):
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main():
    rng = np.random.default_rng(SEED)
    img = texture(rng)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    ref = np.stack([np.clip(np.rint(img(xx - t * SHIFT[0], yy - t * SHIFT[1])), 0, 255) for t in range(T)]).astype(np.uint8)

    # Subtitle opacity: a bar of glyph-like blocks with soft edges in frames 0 and 2, none in frame 1.
    mask = np.zeros((T, H, W), np.uint8)
    for t, (y0, x0) in {0: (34, 9), 2: (30, 14)}.items():
        bar = np.zeros((H, W))
        for k in range(8):
            if rng.random() < 0.8:
                bx = x0 + 5 * k
                bar[y0:y0 + 7, bx:bx + 4] = rng.uniform(0.6, 1.0)
        bar = ndimage.gaussian_filter(bar, 0.7)
        bar[bar < 0.02] = 0
        mask[t] = np.clip(np.rint(bar * 255), 0, 255).astype(np.uint8)

    alpha = mask.astype(np.float64)[..., None] / 255.0
    noise = rng.normal(0, 2.5, size=ref.shape)
    cand = ref.astype(np.float64) * (1 - 0.35 * alpha) + 240.0 * 0.35 * alpha + noise
    cand = np.clip(np.rint(cand), 0, 255).astype(np.uint8)

    # PSNR.
    se = [(ref[t].astype(np.int64) - cand[t].astype(np.int64)) ** 2 for t in range(T)]
    frame_psnr = [min(psnr(float(s.mean())), 100.0) for s in se]
    psnr_clip = psnr(float(sum(int(s.sum()) for s in se)) / (T * H * W * 3))

    # SSIM.
    frame_ssim = []
    for t in range(T):
        a, b = luma(ref[t]), luma(cand[t])
        sk = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
        own = ssim_valid(a, b)
        assert abs(sk - own) < 1e-9, (sk, own)
        frame_ssim.append(float(sk))

    # Masked PSNR over the clip.
    sse_in = sse_out = n_in = n_out = 0
    for t in range(T):
        region = ndimage.binary_dilation(mask[t] > 0, structure=np.ones((5, 5), bool))
        per_pixel = se[t].sum(axis=2)
        sse_in += int(per_pixel[region].sum()); n_in += 3 * int(region.sum())
        sse_out += int(per_pixel[~region].sum()); n_out += 3 * int((~region).sum())

    # Warping error with the ground-truth flow: frame t+1 at p came from frame t at p - SHIFT.
    pair_errors = []
    for t in range(T - 1):
        qx, qy = xx - SHIFT[0], yy - SHIFT[1]
        valid = (qx >= 0) & (qx <= W - 1) & (qy >= 0) & (qy <= H - 1)
        warped = np.stack([ndimage.map_coordinates(cand[t, :, :, c].astype(np.float64), [qy, qx], order=1, mode="nearest")
                           for c in range(3)], axis=-1)
        diff = np.abs(warped - cand[t + 1].astype(np.float64))
        pair_errors.append(float(diff[valid].mean()))

    # OpenCV Farneback on the reference luma, frame 0 -> 1 (second reference for the flow).
    g0 = np.clip(np.rint(luma(ref[0])), 0, 255).astype(np.uint8)
    g1 = np.clip(np.rint(luma(ref[1])), 0, 255).astype(np.uint8)
    cv_flow = cv2.calcOpticalFlowFarneback(g0, g1, None, pyr_scale=0.5, levels=3, winsize=13, iterations=5,
                                           poly_n=5, poly_sigma=1.1, flags=cv2.OPTFLOW_FARNEBACK_GAUSSIAN)
    margin = 8
    inner = cv_flow[margin:H - margin, margin:W - margin]
    cv_epe = float(np.sqrt((inner[..., 0] - SHIFT[0]) ** 2 + (inner[..., 1] - SHIFT[1]) ** 2).mean())

    os.makedirs(OUT, exist_ok=True)
    ref.tofile(os.path.join(OUT, "metrics_reference.rgb"))
    cand.tofile(os.path.join(OUT, "metrics_candidate.rgb"))
    mask.tofile(os.path.join(OUT, "metrics_mask.gray"))
    cv_flow.astype("<f4").tofile(os.path.join(OUT, "metrics_flow_opencv.f32"))
    expected = {
        "generator": "tools/make_metric_fixtures.py",
        "seed": SEED,
        "width": W, "height": H, "frames": T,
        "shift": list(SHIFT),
        "frame_psnr": frame_psnr,
        "psnr": float(np.mean(frame_psnr)),
        "psnr_clip": psnr_clip,
        "frame_ssim": frame_ssim,
        "ssim": float(np.mean(frame_ssim)),
        "mask_pixels_inside": n_in // 3,
        "psnr_inside_mask": psnr(sse_in / n_in),
        "psnr_outside_mask": psnr(sse_out / n_out),
        "pair_warping_error_gt_flow": pair_errors,
        "warping_error_gt_flow": float(np.mean(pair_errors)),
        "opencv_flow_margin": margin,
        "opencv_flow_epe_vs_truth": cv_epe,
        "opencv_parameters": "pyr_scale=0.5 levels=3 winsize=13 iterations=5 poly_n=5 poly_sigma=1.1 GAUSSIAN",
    }
    with open(os.path.join(OUT, "metrics_expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(json.dumps(expected, indent=2))


if __name__ == "__main__":
    main()
