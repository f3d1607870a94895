#!/usr/bin/env python3
"""NumPy reference for the Swift EfficientNet-Lite forward pass (Sources/Vision/EfficientNet).

Written independently of the Swift code: NCHW layout, unfolded batch norm, explicit TF "same"
padding, one tap at a time.

  efficientnet_reference.py fixture OUT.json
      makes a small randomly initialised network (seeded), runs it on a seeded image and writes
      weights, image, logits and probabilities (Tests/Fixtures/efficientnet-tiny.json).
  efficientnet_reference.py classify MODEL.safetensors LABELS.json IMAGE.png [area|bilinear]
      runs the real Lite0 weights on a PNG photo (whole image resized to 224x224) and prints
      the top-5, to check the Swift tagger against.
"""
import json
import struct
import sys
import zlib

import numpy as np

BN_EPS = 1e-3   # TF EfficientNet-Lite's BatchNorm epsilon

# (kernel, stride, expand ratio, in channels, out channels) per block, EfficientNet-Lite0.
LITE0 = {
    "image_size": 224, "stem": 32, "head": 1280, "classes": 1000,
    "blocks": [(3, 1, 1, 32, 16),
               (3, 2, 6, 16, 24), (3, 1, 6, 24, 24),
               (5, 2, 6, 24, 40), (5, 1, 6, 40, 40),
               (3, 2, 6, 40, 80), (3, 1, 6, 80, 80), (3, 1, 6, 80, 80),
               (5, 1, 6, 80, 112), (5, 1, 6, 112, 112), (5, 1, 6, 112, 112),
               (5, 2, 6, 112, 192), (5, 1, 6, 192, 192), (5, 1, 6, 192, 192), (5, 1, 6, 192, 192),
               (3, 1, 6, 192, 320)],
}

# The test network: every kind of block (no expansion, expansion, k3/k5, stride 1/2, residual
# or not) on an odd image size, so TF "same" padding is asymmetric somewhere.
TINY = {
    "image_size": 35, "stem": 8, "head": 24, "classes": 10,
    "blocks": [(3, 1, 1, 8, 8), (3, 2, 6, 8, 12), (5, 1, 6, 12, 12), (5, 2, 3, 12, 16), (3, 1, 2, 16, 16)],
}


def same_pad(x, kernel, stride):
    """TF "same": output ceil(in/stride), padding split with the extra pixel after."""
    _, _, h, w = x.shape
    pads = []
    for size in (h, w):
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, ((0, 0), (0, 0), pads[0], pads[1]))


def conv(x, weight, stride, groups=1):
    """x [1, C, H, W], weight [O, C/groups, k, k], TF same padding."""
    k = weight.shape[2]
    xp = same_pad(x, k, stride)
    _, c, h, w = x.shape
    oh, ow = -(-h // stride), -(-w // stride)
    o = weight.shape[0]
    out = np.zeros((1, o, oh, ow), dtype=np.float64)
    for ky in range(k):
        for kx in range(k):
            patch = xp[0, :, ky:ky + stride * (oh - 1) + 1:stride, kx:kx + stride * (ow - 1) + 1:stride]
            if groups == 1:
                out[0] += np.einsum("oc,chw->ohw", weight[:, :, ky, kx], patch)
            else:
                out[0] += weight[:, 0, ky, kx][:, None, None] * patch
    return out


def bn(x, t, prefix):
    g, b = t[prefix + ".weight"], t[prefix + ".bias"]
    m, v = t[prefix + ".running_mean"], t[prefix + ".running_var"]
    return (x - m[None, :, None, None]) / np.sqrt(v[None, :, None, None] + BN_EPS) * g[None, :, None, None] \
        + b[None, :, None, None]


def relu6(x):
    return np.clip(x, 0, 6)


def forward(t, cfg, image):
    """image [H, W, 3] uint8 -> (logits, probabilities)."""
    t = {k: v.astype(np.float64) for k, v in t.items()}
    x = ((image.astype(np.float64) - 127.0) / 128.0).transpose(2, 0, 1)[None]
    x = relu6(bn(conv(x, t["_conv_stem.weight"], 2), t, "_bn0"))
    for i, (k, s, e, cin, cout) in enumerate(cfg["blocks"]):
        p = f"_blocks.{i}."
        y = x
        if e != 1:
            y = relu6(bn(conv(y, t[p + "_expand_conv.weight"], 1), t, p + "_bn0"))
        y = relu6(bn(conv(y, t[p + "_depthwise_conv.weight"], s, groups=y.shape[1]), t, p + "_bn1"))
        y = bn(conv(y, t[p + "_project_conv.weight"], 1), t, p + "_bn2")
        if s == 1 and cin == cout:
            y = y + x
        x = y
    x = relu6(bn(conv(x, t["_conv_head.weight"], 1), t, "_bn1"))
    pooled = x.mean(axis=(2, 3))[0]
    logits = t["_fc.weight"] @ pooled + t["_fc.bias"]
    e = np.exp(logits - logits.max())
    return logits, e / e.sum()


def random_weights(cfg, rng):
    t = {}

    def conv_w(name, o, i, k):
        t[name] = (rng.standard_normal((o, i, k, k)) * np.sqrt(2.0 / (i * k * k))).astype(np.float32)

    def bn_w(name, c):
        t[name + ".weight"] = rng.uniform(0.5, 1.5, c).astype(np.float32)
        t[name + ".bias"] = rng.uniform(-0.2, 0.2, c).astype(np.float32)
        t[name + ".running_mean"] = rng.uniform(-0.3, 0.3, c).astype(np.float32)
        t[name + ".running_var"] = rng.uniform(0.5, 2.0, c).astype(np.float32)

    conv_w("_conv_stem.weight", cfg["stem"], 3, 3)
    bn_w("_bn0", cfg["stem"])
    for i, (k, s, e, cin, cout) in enumerate(cfg["blocks"]):
        p = f"_blocks.{i}."
        mid = cin * e
        if e != 1:
            conv_w(p + "_expand_conv.weight", mid, cin, 1)
            bn_w(p + "_bn0", mid)
        conv_w(p + "_depthwise_conv.weight", mid, 1, k)
        bn_w(p + "_bn1", mid)
        conv_w(p + "_project_conv.weight", cout, mid, 1)
        bn_w(p + "_bn2", cout)
    conv_w("_conv_head.weight", cfg["head"], cfg["blocks"][-1][4], 1)
    bn_w("_bn1", cfg["head"])
    t["_fc.weight"] = (rng.standard_normal((cfg["classes"], cfg["head"])) * 0.3).astype(np.float32)
    t["_fc.bias"] = rng.uniform(-0.1, 0.1, cfg["classes"]).astype(np.float32)
    return t


def make_fixture(path):
    rng = np.random.default_rng(20261127)
    cfg = TINY
    t = random_weights(cfg, rng)
    n = cfg["image_size"]
    image = rng.integers(0, 256, (n, n, 3), dtype=np.uint8)
    logits, probs = forward(t, cfg, image)
    fixture = {
        "configuration": {"image_size": n, "stem": cfg["stem"], "head": cfg["head"], "classes": cfg["classes"],
                          "blocks": [{"kernel": k, "stride": s, "expand": e, "input": i, "output": o}
                                     for k, s, e, i, o in cfg["blocks"]]},
        # str() of a float32 is its shortest round-tripping decimal: the file stays small and exact.
        "tensors": {name: {"shape": list(v.shape), "values": [float(str(x)) for x in v.ravel()]}
                    for name, v in sorted(t.items())},
        "image": [int(x) for x in image.ravel()],
        "logits": [float(x) for x in logits],
        "probabilities": [float(x) for x in probs],
    }
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")


def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=np.float32).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__"}


def read_png(path):
    """8-bit RGB or RGBA, non-interlaced PNG -> [H, W, 3] uint8 (enough for the skimage photos)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        filt = raw[y * (stride + 1)]
        line = np.frombuffer(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)], dtype=np.uint8).astype(np.int32)
        cur = np.zeros(stride, dtype=np.int32)
        for x in range(stride):
            a = cur[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if filt == 0:
                p = 0
            elif filt == 1:
                p = a
            elif filt == 2:
                p = b
            elif filt == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            cur[x] = (line[x] + p) & 255
        out[y] = cur
        prev = cur
    return out.reshape(height, width, channels)[:, :, :3].astype(np.uint8)


def resize(image, size, method):
    """Whole image to size x size: 'area' (mean of the covered source area) or half-pixel bilinear."""
    h, w, _ = image.shape
    img = image.astype(np.float64)
    if method == "bilinear":
        def axis(n_in):
            f = np.maximum((np.arange(size) + 0.5) * n_in / size - 0.5, 0)
            i0 = np.minimum(f.astype(int), n_in - 1)
            return i0, np.minimum(i0 + 1, n_in - 1), f - i0
        y0, y1, dy = axis(h)
        x0, x1, dx = axis(w)
        top = img[y0][:, x0] * (1 - dx)[None, :, None] + img[y0][:, x1] * dx[None, :, None]
        bottom = img[y1][:, x0] * (1 - dx)[None, :, None] + img[y1][:, x1] * dx[None, :, None]
        out = top * (1 - dy)[:, None, None] + bottom * dy[:, None, None]
    else:
        def weights(n_in):
            m = np.zeros((size, n_in))
            scale = n_in / size
            for i in range(size):
                start, end = i * scale, (i + 1) * scale
                for s in range(int(start), min(int(np.ceil(end)), n_in)):
                    m[i, s] = max(0.0, min(end, s + 1) - max(start, s)) / scale
            return m
        out = np.einsum("yh,hwc->ywc", weights(h), img)
        out = np.einsum("xw,ywc->yxc", weights(w), out)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def classify(model, labels, image_path, method):
    t = load_safetensors(model)
    names = json.load(open(labels))
    image = resize(read_png(image_path), 224, method)
    _, probs = forward(t, LITE0, image)
    for i in np.argsort(-probs)[:5]:
        print(f"{probs[i]:.4f} {names[i]}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fixture":
        make_fixture(sys.argv[2])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "classify":
        classify(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) == 6 else "area")
    else:
        sys.exit(__doc__)
