#!/usr/bin/env python3
"""NumPy reference for the Swift ViT/SigLIP vision encoder + projector (Sources/Vision/VisionEncoder).

Written from the model definitions (HF SiglipVisionModel / CLIPVisionModel, Idefics3Connector,
LLaVA's multi-modal projector) in PyTorch shapes, independently of the Swift code and of ggml's
layout; the fixture stores each tensor under its llama.cpp mmproj name with its GGUF dimensions
(PyTorch's shape reversed) so the Swift test can write a GGUF file from it.

  vit_reference.py fixture OUT.json
      two small randomly initialised encoders (seeded): an Idefics3/SmolVLM-style one (SigLIP,
      post-norm, tanh GELU, pixel-shuffle connector + linear) and a LLaVA-style one (pre-norm,
      quick GELU, two-layer MLP projector), each run on a seeded image.
"""
import json
import sys

import numpy as np


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def quick_gelu(x):
    return x / (1 + np.exp(-1.702 * x))


def pixel_shuffle(x, grid, s):
    """Idefics3Connector.pixel_shuffle: [grid*grid, E] -> [(grid/s)^2, E*s*s]."""
    e = x.shape[-1]
    x = x.reshape(grid, grid, e)                  # (height, width, E)
    x = x.reshape(grid, grid // s, e * s)         # (h, w/s, E*s)
    x = x.transpose(1, 0, 2)                      # (w/s, h, E*s)
    x = x.reshape(grid // s, grid // s, e * s * s)  # (w/s, h/s, E*s*s)
    x = x.transpose(1, 0, 2)                      # (h/s, w/s, E*s*s)
    return x.reshape((grid // s) ** 2, e * s * s)


def encode(t, cfg, image):
    """image [H, W, 3] uint8 of image_size -> [tokens, text dim]."""
    t = {k: v.astype(np.float64) for k, v in t.items()}
    n, p, e, heads = cfg["image_size"], cfg["patch_size"], cfg["embd"], cfg["heads"]
    # GGUF stores these as float32: use exactly those values.
    mean = np.array(cfg["image_mean"], dtype=np.float32).astype(np.float64)
    std = np.array(cfg["image_std"], dtype=np.float32).astype(np.float64)
    x = (image.astype(np.float64) / 255.0 - mean) / std           # [H, W, 3]
    x = x.transpose(2, 0, 1)                                      # [3, H, W]
    grid = n // p
    patches = x.reshape(3, grid, p, grid, p).transpose(1, 3, 0, 2, 4).reshape(grid * grid, 3 * p * p)
    w = t["v.patch_embd.weight"].reshape(e, 3 * p * p)            # conv weight [E, 3, p, p]
    h = patches @ w.T
    if "v.patch_embd.bias" in t:
        h = h + t["v.patch_embd.bias"]
    h = h + t["v.position_embd.weight"]
    eps = float(np.float32(cfg["eps"]))
    if "v.pre_ln.weight" in t:
        h = layer_norm(h, t["v.pre_ln.weight"], t["v.pre_ln.bias"], eps)
    act = gelu_tanh if cfg["use_gelu"] else quick_gelu
    d = e // heads
    for i in range(cfg["blocks"]):
        b = f"v.blk.{i}."
        y = layer_norm(h, t[b + "ln1.weight"], t[b + "ln1.bias"], eps)
        q = y @ t[b + "attn_q.weight"].T + t[b + "attn_q.bias"]
        k = y @ t[b + "attn_k.weight"].T + t[b + "attn_k.bias"]
        v = y @ t[b + "attn_v.weight"].T + t[b + "attn_v.bias"]
        out = np.zeros_like(q)
        for hd in range(heads):
            sl = slice(hd * d, (hd + 1) * d)
            scores = q[:, sl] @ k[:, sl].T / np.sqrt(d)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            out[:, sl] = scores @ v[:, sl]
        h = h + out @ t[b + "attn_out.weight"].T + t[b + "attn_out.bias"]
        y = layer_norm(h, t[b + "ln2.weight"], t[b + "ln2.bias"], eps)
        y = act(y @ t[b + "ffn_up.weight"].T + t[b + "ffn_up.bias"])
        h = h + y @ t[b + "ffn_down.weight"].T + t[b + "ffn_down.bias"]
    if "v.post_ln.weight" in t:
        h = layer_norm(h, t["v.post_ln.weight"], t["v.post_ln.bias"], eps)
    if cfg["projector"] == "idefics3":
        h = pixel_shuffle(h, grid, cfg["scale_factor"])
        return h @ t["mm.model.fc.weight"].T
    h = gelu_tanh(h @ t["mm.0.weight"].T + t["mm.0.bias"])
    return h @ t["mm.2.weight"].T + t["mm.2.bias"]


def random_weights(cfg, rng):
    n, p, e, ff = cfg["image_size"], cfg["patch_size"], cfg["embd"], cfg["ff"]
    t = {}

    def mat(name, rows, cols, scale=None):
        t[name] = (rng.standard_normal((rows, cols)) * (scale or 1 / np.sqrt(cols))).astype(np.float32)

    def vec(name, count, lo=-0.1, hi=0.1):
        t[name] = rng.uniform(lo, hi, count).astype(np.float32)

    t["v.patch_embd.weight"] = (rng.standard_normal((e, 3, p, p)) / np.sqrt(3 * p * p)).astype(np.float32)
    vec("v.patch_embd.bias", e)
    mat("v.position_embd.weight", (n // p) ** 2, e, 0.1)
    if cfg["pre_ln"]:
        vec("v.pre_ln.weight", e, 0.8, 1.2)
        vec("v.pre_ln.bias", e)
    for i in range(cfg["blocks"]):
        b = f"v.blk.{i}."
        for norm in ("ln1", "ln2"):
            vec(b + norm + ".weight", e, 0.8, 1.2)
            vec(b + norm + ".bias", e)
        for proj in ("attn_q", "attn_k", "attn_v", "attn_out"):
            mat(b + proj + ".weight", e, e)
            vec(b + proj + ".bias", e)
        mat(b + "ffn_up.weight", ff, e)
        vec(b + "ffn_up.bias", ff)
        mat(b + "ffn_down.weight", e, ff)
        vec(b + "ffn_down.bias", e)
    if cfg["post_ln"]:
        vec("v.post_ln.weight", e, 0.8, 1.2)
        vec("v.post_ln.bias", e)
    if cfg["projector"] == "idefics3":
        s = cfg["scale_factor"]
        mat("mm.model.fc.weight", cfg["text_embd"], e * s * s)
    else:
        mat("mm.0.weight", cfg["mlp_hidden"], e)
        vec("mm.0.bias", cfg["mlp_hidden"])
        mat("mm.2.weight", cfg["text_embd"], cfg["mlp_hidden"])
        vec("mm.2.bias", cfg["text_embd"])
    return t


CASES = {
    "idefics3": {"projector": "idefics3", "image_size": 24, "patch_size": 4, "embd": 16, "heads": 2, "ff": 40,
                 "blocks": 2, "eps": 1e-6, "use_gelu": True, "pre_ln": False, "post_ln": True, "scale_factor": 2,
                 "text_embd": 20, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]},
    "mlp": {"projector": "mlp", "image_size": 20, "patch_size": 5, "embd": 12, "heads": 3, "ff": 24,
            "blocks": 2, "eps": 1e-5, "use_gelu": False, "pre_ln": True, "post_ln": False, "mlp_hidden": 18,
            "text_embd": 14, "image_mean": [0.48145466, 0.4578275, 0.40821073],
            "image_std": [0.26862954, 0.26130258, 0.27577711]},
}


def make_fixture(path):
    rng = np.random.default_rng(6_2026_1127)
    out = {}
    for name, cfg in CASES.items():
        t = random_weights(cfg, rng)
        image = rng.integers(0, 256, (cfg["image_size"], cfg["image_size"], 3), dtype=np.uint8)
        embeddings = encode(t, cfg, image)
        out[name] = {
            "configuration": cfg,
            # GGUF dimensions are PyTorch's shape reversed (ggml's ne[0] is the fastest axis).
            "tensors": {k: {"dimensions": list(reversed(v.shape)), "values": [float(str(x)) for x in v.ravel()]}
                        for k, v in sorted(t.items())},
            "image": [int(x) for x in image.ravel()],
            "embeddings": [[float(x) for x in row] for row in embeddings],
        }
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "fixture":
        make_fixture(sys.argv[2])
    else:
        sys.exit(__doc__)
