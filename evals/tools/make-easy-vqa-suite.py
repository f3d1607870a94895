#!/usr/bin/env python3
"""Writes evals/suites/easy-vqa-v1.jsonl: 42 questions about easy-VQA's test images (PyPI
`easy-vqa==1.0`, MIT licence), the pictures embedded as data URLs, chosen with a fixed seed and in
equal thirds: which shape, which colour, yes/no. A smoke test of the image path: the suite file is
what is versioned; this script only shows where it came from and makes it again, byte for byte.

    python3 evals/tools/make-easy-vqa-suite.py
"""
import base64
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile

WHEEL = "easy_vqa-1.0-py3-none-any.whl"
WHEEL_SHA256 = "fcb51b309b78c7b00f97b64cdbcbcf5c105f94da1b39c0796cee5a787c4f650f"
SEED = 2026
PER_KIND = 14
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "suites", "easy-vqa-v1.jsonl")


def kind(question):
    if question.startswith(("is ", "does ")):
        return "yes/no"
    return "colour" if "color" in question else "shape"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp,
                        "easy-vqa==1.0"], check=True)
        path = os.path.join(tmp, WHEEL)
        with open(path, "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != WHEEL_SHA256:
                sys.exit("easy-vqa wheel SHA-256 mismatch")
        wheel = zipfile.ZipFile(path)
        answers = wheel.read("easy_vqa/data/answers.txt").decode().split()
        questions = json.loads(wheel.read("easy_vqa/data/test/questions.json"))
        rng = random.Random(SEED)
        chosen = []
        for k in ("shape", "colour", "yes/no"):
            pool = [q for q in questions if kind(q[0]) == k]
            chosen += rng.sample(pool, PER_KIND)
        header = {
            "canary": "MUSE-EVAL-CANARY-easy-vqa-v1-" + hashlib.sha256(b"easy-vqa-v1").hexdigest()[:16],
            "description": "easy-VQA (PyPI easy-vqa 1.0, MIT licence, Victor Zhou): 64x64 pictures of one "
                           "coloured shape; which shape, which colour, yes/no. A smoke test of the image path.",
            "max_tokens": 16, "suite": "easy-vqa", "version": "1",
        }
        lines = [json.dumps(header, sort_keys=True, separators=(",", ":"))]
        for i, (question, answer, image) in enumerate(chosen, 1):
            png = wheel.read(f"easy_vqa/data/test/images/{image}.png")
            lines.append(json.dumps({
                "answer": answer, "check": "one_of:" + ",".join(answers), "id": f"vqa-{i}",
                "image": "data:image/png;base64," + base64.b64encode(png).decode(),
                "prompt": question[0].upper() + question[1:] + " Answer with one word.",
                "source": f"easy-vqa 1.0 test image {image}",
            }, sort_keys=True, separators=(",", ":")))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} items to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
