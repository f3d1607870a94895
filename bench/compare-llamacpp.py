#!/usr/bin/env python3
"""Side-by-side speed of Muse Spark's engine and llama.cpp on the same GGUF file, in one run.

The two engines are run alternately, round after round, so that a machine whose speed drifts
(shared, noisy) slows both alike; each reports pp (prompt processing) and tg (generation) in
tokens/s, and the script prints medians, spreads and our/llama.cpp ratios.

llama.cpp comes from the PyPI package llama-cpp-python (pip builds it from source), installed
by this script into its own virtual environment outside the repository.

    python3 bench/compare-llamacpp.py [--model FILE] [--rounds 5] [--threads 2] [--json]

With --reference OUT.json it instead records llama.cpp's greedy output on the model (token ids of
a few texts; greedy continuations of a few prompts with the top-5 log-probabilities of every step),
writes it to OUT.json, and checks `muse generate --temperature 0` against it on the same prompts.
The committed Gemma 3 fixture (Tests/Fixtures/gemma-3-270m-q4_k_m.json) was made this way:

    python3 bench/compare-llamacpp.py --model ~/.cache/muse/models/gemma-3-270m-q4_k_m.gguf \
        --reference Tests/Fixtures/gemma-3-270m-q4_k_m.json
"""
import argparse, hashlib, json, os, resource, statistics, subprocess, sys, time
from pathlib import Path

LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"
ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("MUSE_CACHE") or Path.home() / ".cache" / "muse")
VENV = CACHE / "bench-venv"
DEFAULT_MODEL = os.environ.get("MUSE_MODEL") or str(CACHE / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf")
TOKEN_SEED = 1234

PEER = r'''
import json, random, resource, sys, time
import llama_cpp
model, threads, pp, tg, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
t0 = time.perf_counter()
llm = llama_cpp.Llama(model_path=model, n_ctx=max(pp, tg + 1) + 16, n_batch=512, n_ubatch=512,
                      n_threads=threads, n_threads_batch=threads, verbose=False)
load = time.perf_counter() - t0
rng = random.Random(seed)
vocab = llm.n_vocab()
prompt = [rng.randrange(vocab) for _ in range(pp)]
gen = [rng.randrange(vocab) for _ in range(tg + 1)]
llm.eval(prompt[:8]); llm.reset()                      # warm-up: page in the weights
t0 = time.perf_counter(); llm.eval(prompt); pp_s = time.perf_counter() - t0
llm.reset(); llm.eval(gen[:1])
t0 = time.perf_counter()
for token in gen[1:]:
    llm.eval([token])
tg_s = time.perf_counter() - t0
print(json.dumps({"pp": pp / pp_s, "tg": tg / tg_s, "load_seconds": load,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "version": llama_cpp.__version__}))
'''


# Greedy reference: flash attention off, so llama.cpp computes attention as our engine does (its
# non-flash path); log-probabilities from the raw logits in float64.
PEER_REFERENCE = r'''
import json, sys
import numpy as np
import llama_cpp
model, spec = sys.argv[1], json.loads(sys.argv[2])
llm = llama_cpp.Llama(model_path=model, n_ctx=spec["context"], n_batch=spec["context"], n_threads=2,
                      flash_attn=False, verbose=False)
vocab = llm.n_vocab()
def piece(i):
    return llm.detokenize([i]).decode("utf-8", errors="replace")
out = {"reference": f"llama-cpp-python {llama_cpp.__version__}, CPU, flash attention off, greedy",
       "tokenize": [{"text": t, "ids": llm.tokenize(t.encode(), add_bos=False, special=True)} for t in spec["texts"]],
       "greedy": []}
for case in spec["prompts"]:
    ids = llm.tokenize(case["prompt"].encode(), add_bos=True, special=True)
    llm.reset()
    llm.eval(ids)
    steps, generated = [], []
    for _ in range(case["max_tokens"]):
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(vocab,)).astype(np.float64)
        logprobs = logits - (logits.max() + np.log(np.exp(logits - logits.max()).sum()))
        top = np.argsort(-logprobs, kind="stable")[:5]
        token = int(top[0])
        steps.append({"token": token, "text": piece(token), "logprob": float(logprobs[token]),
                      "top": [{"id": int(i), "text": piece(int(i)), "logprob": float(logprobs[i])} for i in top]})
        if token == llm.token_eos():
            break
        generated.append(token)
        llm.eval([token])
    out["greedy"].append({"prompt": case["prompt"], "prompt_ids": ids, "prompt_tokens": len(ids),
                          "content": llm.detokenize(generated).decode("utf-8", errors="replace"), "steps": steps})
print(json.dumps(out))
'''

REFERENCE_TEXTS = ["Hello world", " Hello world", "   leading spaces", "hello\nworld\n\n", "tabs\t\tand 123456 numbers",
                   "émojis 🙂 and 日本語のテキスト", "<start_of_turn>user\nHi<end_of_turn>", "def f(x):\n    return x ** 2"]
LONG_PROMPT_CHARS = 2600  # about 600 Gemma tokens: past the 512-token sliding window of its local layers


def reference_prompts():
    licence = Path("/usr/share/common-licenses/GPL-3").read_text()
    return [
        {"prompt": "The capital of France is", "max_tokens": 32},
        {"prompt": "def fibonacci(n):", "max_tokens": 32},
        {"prompt": "Once upon a time, in a small village,", "max_tokens": 32},
        {"prompt": "Question: What is 12 times 7?\nAnswer:", "max_tokens": 16},
        {"prompt": "Les trois couleurs du drapeau français sont", "max_tokens": 16},
        {"prompt": licence[:LONG_PROMPT_CHARS], "max_tokens": 24},
    ]


def make_reference(python, muse, model, out_path):
    spec = {"context": 1024, "texts": REFERENCE_TEXTS, "prompts": reference_prompts()}
    out = subprocess.run([str(python), "-c", PEER_REFERENCE, model, json.dumps(spec)],
                         check=True, capture_output=True, text=True).stdout
    reference = json.loads(out.strip().splitlines()[-1])
    with open(model, "rb") as f:
        reference = {"model_sha256": hashlib.file_digest(f, "sha256").hexdigest(), **reference}
    Path(out_path).write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n")
    print(f"reference: wrote {out_path} ({reference['reference']})")
    same = 0
    for case in reference["greedy"]:
        ours = subprocess.run([muse, "generate", "--model", model, "--prompt", case["prompt"], "--temperature", "0",
                               "--max-tokens", str(len(case["steps"])), "--ctx", "1024"],
                              check=True, capture_output=True, text=True).stdout
        match = ours.removesuffix("\n") == case["content"]  # muse ends its output with a newline
        same += match
        print(f"greedy {'same' if match else 'DIFFERENT'}: {case['prompt'][:40]!r} ({case['prompt_tokens']} prompt tokens)")
        if not match:
            print(f"  llama.cpp: {case['content']!r}\n  muse:      {ours!r}")
    print(f"greedy: {same}/{len(reference['greedy'])} continuations identical to llama.cpp")
    return same == len(reference["greedy"])


def ensure_peer():
    python = VENV / "bin" / "python"
    check = [str(python), "-c", "import llama_cpp"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"bench: installing {LLAMA_CPP_PYTHON} into {VENV} (pip builds llama.cpp from source: minutes)",
          file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    env = dict(os.environ, CMAKE_BUILD_PARALLEL_LEVEL=str(os.cpu_count() or 2))
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", LLAMA_CPP_PYTHON], check=True, env=env)
    return python


def ours(muse, model, threads, pp, tg):
    out = subprocess.run([muse, "bench", "--model", model, "--threads", str(threads), "-p", str(pp),
                          "-n", str(tg), "-r", "1", "--json"], check=True, capture_output=True, text=True).stdout
    rows = {row["test"]: row for row in map(json.loads, out.splitlines())}
    first = next(iter(rows.values()))
    return {"pp": rows[f"pp{pp}"]["tokens_per_second"], "tg": rows[f"tg{tg}"]["tokens_per_second"],
            "load_seconds": first["load_seconds"], "peak_rss_bytes": first["peak_rss_bytes"],
            "sha256": first["model_sha256"]}


def peer(python, model, threads, pp, tg):
    out = subprocess.run([str(python), "-c", PEER, model, str(threads), str(pp), str(tg), str(TOKEN_SEED)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--pp", type=int, default=512)
    parser.add_argument("--tg", type=int, default=128)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--reference", metavar="OUT.json", help="record llama.cpp's greedy output and check ours")
    args = parser.parse_args()
    if not Path(args.model).exists():
        sys.exit(f"bench: model not found: {args.model} (run scripts/setup.sh)")
    subprocess.run(["swift", "build", "-c", "release", "--product", "muse"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    muse = str(ROOT / ".build" / "release" / "muse")
    python = ensure_peer()
    if args.reference:
        sys.exit(0 if make_reference(python, muse, args.model, args.reference) else 1)
    runs = {"muse": [], "llama.cpp": []}
    for round_ in range(args.rounds):
        # Alternate which engine goes first so neither always gets the cooler machine.
        order = [("muse", ours), ("llama.cpp", peer)] if round_ % 2 == 0 else [("llama.cpp", peer), ("muse", ours)]
        for name, run in order:
            target = muse if name == "muse" else python
            runs[name].append(run(target, args.model, args.threads, args.pp, args.tg))
        print(f"bench: round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    report = {"model": args.model, "model_sha256": runs["muse"][0]["sha256"], "threads": args.threads,
              "rounds": args.rounds, "peer": f"llama-cpp-python {runs['llama.cpp'][0]['version']}", "tests": []}
    for key, test in (("pp", f"pp{args.pp}"), ("tg", f"tg{args.tg}")):
        a = [r[key] for r in runs["muse"]]
        b = [r[key] for r in runs["llama.cpp"]]
        ratios = [x / y for x, y in zip(a, b)]
        report["tests"].append({"test": test, "muse": statistics.median(a), "llama_cpp": statistics.median(b),
                                "ratio": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
                                "muse_min": min(a), "muse_max": max(a), "llama_cpp_min": min(b), "llama_cpp_max": max(b)})
    for name, key in (("load_seconds", "load_seconds"), ("peak_rss_bytes", "peak_rss_bytes")):
        report[name] = {"muse": statistics.median(r[key] for r in runs["muse"]),
                        "llama_cpp": statistics.median(r[key] for r in runs["llama.cpp"])}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"model {report['model']}\nsha256 {report['model_sha256']}\nthreads {args.threads}, "
          f"{args.rounds} alternating rounds, peer {report['peer']}")
    print("| test | muse t/s (min-max) | llama.cpp t/s (min-max) | ratio (min-max) |")
    print("|---|---:|---:|---:|")
    for t in report["tests"]:
        print(f"| {t['test']} | {t['muse']:.1f} ({t['muse_min']:.1f}-{t['muse_max']:.1f}) | "
              f"{t['llama_cpp']:.1f} ({t['llama_cpp_min']:.1f}-{t['llama_cpp_max']:.1f}) | "
              f"{t['ratio']:.2f}x ({t['ratio_min']:.2f}-{t['ratio_max']:.2f}) |")
    mib = 1 << 20
    print(f"| load | {report['load_seconds']['muse']:.3f} s | {report['load_seconds']['llama_cpp']:.3f} s | |")
    print(f"| peak RSS | {report['peak_rss_bytes']['muse'] / mib:.0f} MiB | "
          f"{report['peak_rss_bytes']['llama_cpp'] / mib:.0f} MiB (includes the Python interpreter) | |")


if __name__ == "__main__":
    main()
