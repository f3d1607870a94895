#!/usr/bin/env python3
"""Many users at once: aggregate generation speed and time to first token of `muse serve` and of
llama.cpp's server (llama-cpp-python's, in the bench virtual environment) on the same model, in
one run, on loopback.

For each concurrency level (default 1, 4, 8, 16) every client sends streamed chat completions one
after another; the script prints aggregate completion tokens/s, time to first token (median, p95)
and errors per server, and the ratios the partner API issue asks for.

    python3 bench/load-test.py [--levels 1,4,8,16] [--requests-per-client 2] [--max-tokens 64] [--ban-tokens 0,1,2]
                               [--rounds 3]

The machine is shared and its speed drifts by 10% or more within minutes, so a ratio of two levels
measured a minute apart moves with it. `--rounds N` runs the levels N times in turn (1, 8, 1, 8, ...)
and reports each level's median round and each round's 8/1 ratio beside the ratio of the medians.
"""
import argparse, http.client, json, os, socket, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("MUSE_CACHE") or Path.home() / ".cache" / "muse")
VENV = CACHE / "bench-venv"
DEFAULT_MODEL = os.environ.get("MUSE_MODEL") or str(CACHE / "models" / "SmolLM2-135M-Instruct.Q4_1.gguf")
QUESTIONS = ["What is the capital of France?", "Give me three tips for sleeping well.", "Explain rain to a child.",
             "Write a haiku about the sea.", "What is a prime number?", "How do plants make food?",
             "Name four musical instruments.", "Why is the sky blue?"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, process, path, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"load: server on port {port} exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"load: server on port {port} did not come up")


def one_request(port, model, question, max_tokens, seed, banned=()):
    """Streams one chat completion: (time to first token, completion tokens, error or None)."""
    request = {"model": model, "messages": [{"role": "user", "content": question}], "max_tokens": max_tokens,
               "temperature": 0.7, "seed": seed, "stream": True}
    if banned:  # every answer runs to max_tokens: both servers generate the same token counts
        request["logit_bias"] = {str(token): -100 for token in banned}
    body = json.dumps(request)
    start = time.perf_counter()
    first, tokens = None, 0
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        if response.status != 200:
            return None, 0, f"HTTP {response.status}"
        for raw in response:
            line = raw.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            for choice in chunk.get("choices", []):
                if choice.get("delta", {}).get("content"):
                    tokens += 1  # both servers send one chunk per generated token
                    if first is None:
                        first = time.perf_counter() - start
        return first, tokens, None
    except Exception as error:  # noqa: BLE001 - every failure counts as an error of the run
        return None, 0, str(error)


def run_level(port, model, clients, per_client, max_tokens, banned=(), round_index=0):
    results, lock = [], threading.Lock()

    def client(index):
        for r in range(per_client):
            question = QUESTIONS[(index + r) % len(QUESTIONS)]
            if round_index:  # prompts and seeds of their own: a later round reuses no saved prompt
                question = f"{question} ({round_index + 1})"
            seed = round_index * 10_000 + index * 100 + r
            outcome = one_request(port, model, question, max_tokens, seed, banned)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ttfts = sorted(r[0] for r in results if r[0] is not None)
    tokens = sum(r[1] for r in results)
    errors = [r[2] for r in results if r[2]]
    return {"clients": clients, "requests": len(results), "tokens": tokens, "seconds": wall,
            "tokens_per_second": tokens / wall if wall else 0.0, **ttft_summary(ttfts), "ttfts": ttfts,
            "errors": len(errors), "error_samples": errors[:3]}


def ttft_summary(ttfts):
    """Median and p95 (nearest rank) of sorted times to first token."""
    if not ttfts:
        return {"ttft_median": float("nan"), "ttft_p95": float("nan")}
    return {"ttft_median": statistics.median(ttfts), "ttft_p95": ttfts[min(len(ttfts) - 1, int(round(0.95 * (len(ttfts) - 1))))]}


def median_round(runs):
    """One level's rounds as one row: the median round's speed, TTFTs and errors over all rounds."""
    return {"clients": runs[0]["clients"], "tokens_per_second": statistics.median(r["tokens_per_second"] for r in runs),
            "rounds": [r["tokens_per_second"] for r in runs], **ttft_summary(sorted(t for r in runs for t in r["ttfts"])),
            "errors": sum(r["errors"] for r in runs), "error_samples": [e for r in runs for e in r["error_samples"]][:3]}


def start_muse(model, port, threads, slots):
    muse = ROOT / ".build" / "release" / "muse"
    # Its own empty store: no keys (open on loopback), every request metered as in production.
    data = tempfile.mkdtemp(prefix="muse-load-")
    process = subprocess.Popen([str(muse), "serve", "--model", model, "--port", str(port), "--threads", str(threads),
                                "--slots", str(slots), "--ctx", "1024", "--data-dir", data], stderr=subprocess.DEVNULL)
    wait_ready(port, process, "/health")
    return process, Path(model).name.removesuffix(".gguf")


def start_llama(model, port, threads):
    python = VENV / "bin" / "python"
    check = subprocess.run([str(python), "-c", "import llama_cpp.server, uvicorn, fastapi, sse_starlette"], capture_output=True)
    if check.returncode != 0:
        print("load: installing llama-cpp-python's server dependencies into the bench venv", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "uvicorn", "fastapi", "sse-starlette",
                        "starlette-context", "pydantic-settings"], check=True)
    process = subprocess.Popen([str(python), "-m", "llama_cpp.server", "--model", model, "--port", str(port),
                                "--n_threads", str(threads), "--n_threads_batch", str(threads), "--n_ctx", "4096"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port, process, "/v1/models")
    return process, "model"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--levels", default="1,4,8,16")
    parser.add_argument("--requests-per-client", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--slots", type=int, default=8)
    parser.add_argument("--skip-llama", action="store_true", help="measure muse serve alone")
    parser.add_argument("--ban-tokens", default="",
                        help="token ids given logit_bias -100 in every request (e.g. 0,1,2: SmolLM2's end tokens), so "
                             "answers run to --max-tokens instead of ending at random lengths")
    parser.add_argument("--no-build", action="store_true", help="use .build/release/muse as it is")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the levels this many times in turn; report each level's median round")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    banned = [int(x) for x in args.ban_tokens.split(",") if x.strip()]
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "muse"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    report = {}
    servers = [("muse", start_muse)] + ([] if args.skip_llama else [("llama.cpp", start_llama)])
    for name, start in servers:
        port = free_port()
        process, model = start(args.model, port, args.threads, args.slots) if name == "muse" else start(args.model, port, args.threads)
        try:
            # Warm up as many slots as the levels will use: each then holds the shared system prompt,
            # as it does in steady serving, instead of the first measured round paying for it.
            warm = [threading.Thread(target=one_request, args=(port, model, "warm up", 4, n)) for n in range(max(levels))]
            for t in warm:
                t.start()
            for t in warm:
                t.join()
            rounds = [[run_level(port, model, c, args.requests_per_client, args.max_tokens, banned, n) for c in levels]
                      for n in range(max(1, args.rounds))]
            report[name] = [median_round([r[i] for r in rounds]) for i in range(len(levels))]
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"model {args.model}, {args.threads} threads, max_tokens {args.max_tokens}, "
          f"{args.requests_per_client} streamed requests per client, muse --slots {args.slots}"
          + (f", tokens {banned} banned" if banned else "")
          + (f", median of {args.rounds} rounds" if args.rounds > 1 else ""))
    print("| server | clients | tokens/s (aggregate) | TTFT median | TTFT p95 | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows in report.items():
        for r in rows:
            print(f"| {name} | {r['clients']} | {r['tokens_per_second']:.1f} | {r['ttft_median']:.3f} s | "
                  f"{r['ttft_p95']:.3f} s | {r['errors']} |")
    muse = {r["clients"]: r for r in report["muse"]}
    if 1 in muse and 8 in muse:
        per_round = [eight / one for one, eight in zip(muse[1]["rounds"], muse[8]["rounds"])]
        print(f"muse, 8 clients / 1 client: {muse[8]['tokens_per_second'] / muse[1]['tokens_per_second']:.2f}x"
              + (f" (each round: {', '.join(f'{x:.2f}x' for x in per_round)})" if len(per_round) > 1 else ""))
    if "llama.cpp" in report and 8 in muse:
        peer = {r["clients"]: r for r in report["llama.cpp"]}
        print(f"8 clients, muse / llama.cpp server: {muse[8]['tokens_per_second'] / peer[8]['tokens_per_second']:.2f}x")
    for name, rows in report.items():
        for r in rows:
            if r["errors"]:
                print(f"{name} {r['clients']} clients errors: {r['error_samples']}")


if __name__ == "__main__":
    main()
