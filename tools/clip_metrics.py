#!/usr/bin/env python3
"""Per-clip rows and per-group means for the lite engine's footage checks
(tools/large_frames_lite.sh, tools/dynamic_scenes_lite.sh); a reporting helper, not part of the product.

  clip_metrics.py row JSON LABEL...        one TSV row: the labels, then full / in mask / outside
                                           PSNR and text left / glyph pixels left (shares) from a
                                           `clearsub eval --json` file
  clip_metrics.py summary TSV [--sort] NAME...
                                           the rows under a header (clip, then the NAMEs of the
                                           other labels), then the means per group of those labels
                                           (first-seen order, or sorted with --sort: numbers as numbers, before words)
"""
import collections
import json
import sys

METRICS = ('psnr_clip', 'psnr_inside_mask', 'psnr_outside_mask', 'text_left_frame_ratio', 'text_residual_pixel_ratio')
COLUMNS = 'full\tin mask\toutside\ttext left\tglyph left'


def row(path, labels):
    d = json.load(open(path))
    print('\t'.join(labels + ['%.3f' % d[k] for k in METRICS]))


def summary(path, names, sort):
    rows = [l.split('\t') for l in open(path).read().split('\n') if l]
    k = len(names)
    print('clip\t%s\t%s' % ('\t'.join(names), COLUMNS))
    for r in rows:
        print('\t'.join(r))
    groups = collections.OrderedDict()
    for r in rows:
        groups.setdefault(tuple(r[1:1 + k]), []).append([float(x) for x in r[1 + k:]])
    keys = list(groups)
    if sort:
        keys.sort(key=lambda g: tuple((0, int(x), '') if x.isdigit() else (1, 0, x) for x in g))
    print('mean\t%s\t%s' % ('\t'.join(names), COLUMNS))
    for g in keys:
        m = [sum(c) / len(c) for c in zip(*groups[g])]
        print('mean\t%s\t%.2f\t%.2f\t%.2f\t%.1f %%\t%.1f %%' % ('\t'.join(g), m[0], m[1], m[2], 100 * m[3], 100 * m[4]))


if __name__ == '__main__':
    if len(sys.argv) >= 3 and sys.argv[1] == 'row':
        row(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 3 and sys.argv[1] == 'summary':
        rest = sys.argv[3:]
        summary(sys.argv[2], [a for a in rest if a != '--sort'], '--sort' in rest)
    else:
        sys.exit(__doc__)
