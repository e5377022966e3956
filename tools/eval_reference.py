#!/usr/bin/env python3
"""Independent reference for `clearsub eval` on real videos (numpy, scipy, scikit-image, OpenCV).

    tools/.venv/bin/python tools/eval_reference.py --reference CLEAN --candidate CLEANED [--mask MASK] [--max-frames N]

Decodes with ffmpeg (rgb24 / gray on a pipe) and prints one JSON object with the keys of
`clearsub eval --json`: psnr (per-frame, capped at 100 dB, averaged), psnr_clip, ssim (skimage,
Gaussian sigma 1.5, valid region, luma), psnr_inside_mask / psnr_outside_mask (5x5 square dilation,
whole clip), warping_error (OpenCV Farneback flow of the reference at <= 360 rows upsampled,
candidate t warped onto t+1 with bilinear sampling, Sundaram et al. occlusion check, mean absolute
RGB error on 0-255). The flow differs from clearsub's own implementation, so warping errors agree
only approximately; the other values should agree to float precision.
"""
import argparse
import json
import subprocess

import cv2
import numpy as np
from scipy import ndimage
from skimage.metrics import structural_similarity


def probe_size(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                          "-of", "csv=p=0", path], capture_output=True, text=True, check=True).stdout
    w, h = out.strip().split(",")[:2]
    return int(w), int(h)


def frames(path, w, h, pix_fmt):
    channels = 3 if pix_fmt == "rgb24" else 1
    p = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-fps_mode", "passthrough",
                          "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"], stdout=subprocess.PIPE)
    size = w * h * channels
    try:
        while True:
            buf = p.stdout.read(size)
            if len(buf) < size:
                break
            yield np.frombuffer(buf, np.uint8).reshape((h, w, channels) if channels == 3 else (h, w))
    finally:
        if p.poll() is None:
            p.kill()  # stopped early (--max-frames): no "broken pipe" noise
        p.wait()


def luma(rgb):
    rgb = rgb.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def psnr(mse):
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def flow(a, b, fw, fh):
    """Farneback flow a -> b (float luma, full size), computed at fw x fh and upsampled."""
    h, w = a.shape
    small = [cv2.resize(np.clip(np.rint(x), 0, 255).astype(np.uint8), (fw, fh), interpolation=cv2.INTER_AREA) for x in (a, b)]
    f = cv2.calcOpticalFlowFarneback(small[0], small[1], None, 0.5, 4, 13, 3, 5, 1.1, cv2.OPTFLOW_FARNEBACK_GAUSSIAN)
    f = cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR)
    f[..., 0] *= w / fw
    f[..., 1] *= h / fh
    return f


def sample(img, x, y):
    return ndimage.map_coordinates(img, [y, x], order=1, mode="nearest")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--candidate", required=True)
    ap.add_argument("--mask")
    ap.add_argument("--max-frames", type=int, default=None)
    args = ap.parse_args()
    w, h = probe_size(args.reference)
    fh = min(h, 360)
    fw = int(round(w * fh / h))
    masks = frames(args.mask, w, h, "gray") if args.mask else None
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    n = 0
    psnr_sum = sse_all = ssim_sum = 0.0
    sse_in = sse_out = n_in = n_out = 0
    warp = []
    prev = None
    for r, c in zip(frames(args.reference, w, h, "rgb24"), frames(args.candidate, w, h, "rgb24")):
        if args.max_frames and n >= args.max_frames:
            break
        se = ((r.astype(np.int64) - c.astype(np.int64)) ** 2)
        psnr_sum += min(psnr(float(se.mean())), 100.0)
        sse_all += int(se.sum())
        lr, lc = luma(r), luma(c)
        ssim_sum += structural_similarity(lr, lc, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                          data_range=255)
        if masks is not None:
            region = ndimage.binary_dilation(next(masks) > 0, structure=np.ones((5, 5), bool))
            pp = se.sum(axis=2)
            sse_in += int(pp[region].sum()); n_in += 3 * int(region.sum())
            sse_out += int(pp[~region].sum()); n_out += 3 * int((~region).sum())
        if prev is not None:
            lp, cp = prev
            f = flow(lr, lp, fw, fh)   # t+1 -> t
            b = flow(lp, lr, fw, fh)   # t -> t+1
            qx, qy = xx + f[..., 0], yy + f[..., 1]
            inb = (qx >= 0) & (qx <= w - 1) & (qy >= 0) & (qy <= h - 1)
            bu, bv = sample(b[..., 0], qx, qy), sample(b[..., 1], qx, qy)
            ok = ((f[..., 0] + bu) ** 2 + (f[..., 1] + bv) ** 2
                  < 0.01 * (f[..., 0] ** 2 + f[..., 1] ** 2 + bu ** 2 + bv ** 2) + 0.5) & inb
            warped = np.stack([sample(cp[..., k].astype(np.float64), qx, qy) for k in range(3)], axis=-1)
            if ok.any():
                warp.append(float(np.abs(warped - c.astype(np.float64))[ok].mean()))
        prev = (lr, c)
        n += 1
    out = {
        "frames": n,
        "psnr": psnr_sum / n,
        "psnr_clip": min(psnr(sse_all / (n * w * h * 3)), 100.0),
        "ssim": ssim_sum / n,
        "psnr_inside_mask": min(psnr(sse_in / n_in), 100.0) if n_in else None,
        "psnr_outside_mask": min(psnr(sse_out / n_out), 100.0) if n_in and n_out else None,
        "warping_error": float(np.mean(warp)) if warp else None,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
