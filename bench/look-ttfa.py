#!/usr/bin/env python3
"""Time to first audio of POST /v1/look (streamed): a shelf photo and a typed question, N times.

Reports, over N sequential requests: time to the first byte of the first `audio` event (the
first spoken sentence is ready to play), time to the `done` event, median and p95 of each.

  bench/look-ttfa.py --start [--muse .build/release/muse] [-n 10]   # starts its own muse serve
  bench/look-ttfa.py --url http://127.0.0.1:8080 [--key sk-muse-...]  # targets a running one

With --start, the shelf set's catalogue (Tests/ShelfTests/Fixtures) is imported into a fresh
store, so the answer is grounded on the shelf ranking (see README, "Look and ask").
"""
import argparse, base64, http.client, json, os, statistics, subprocess, sys, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ShelfTests", "Fixtures")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def look(url, key, body):
    """One streamed request: (seconds to the first audio event's first byte, seconds to done)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=600)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    start = time.perf_counter()
    connection.request("POST", "/v1/look", body=body, headers=headers)
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"look: HTTP {response.status}: {response.read()[:400]!r}")
    first_audio, done, answer, pending = None, None, "", b""
    while True:
        chunk = response.read1(65536)
        if not chunk:
            break
        if first_audio is None and b'"type":"audio"' in pending[-32:] + chunk:
            first_audio = time.perf_counter() - start
        pending += chunk
        while b"\n\n" in pending:
            event, pending = pending.split(b"\n\n", 1)
            payload = event[len(b"data: "):]
            if payload == b"[DONE]":
                continue
            message = json.loads(payload)
            if message.get("type") == "done":
                done, answer = time.perf_counter() - start, message.get("answer", "")
            elif "error" in message:
                raise SystemExit(f"look: {message['error']}")
    connection.close()
    if first_audio is None or done is None:
        raise SystemExit("look: the stream ended without audio or done")
    return first_audio, done, answer


def start_server(muse, port, model):
    data = tempfile.mkdtemp(prefix="muse-look-bench-")
    subprocess.run([muse, "catalog", "import", os.path.join(FIXTURES, "catalogue.jsonl"), "--data-dir", data],
                   check=True, stdout=subprocess.DEVNULL)
    command = [muse, "serve", "--port", str(port), "--data-dir", data] + (["--model", model] if model else [])
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("muse serve did not come up")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--key", default=os.environ.get("MUSE_API_KEY"))
    parser.add_argument("--start", action="store_true", help="start muse serve (and import the shelf catalogue) first")
    parser.add_argument("--muse", default=os.path.join(ROOT, ".build", "release", "muse"))
    parser.add_argument("--model", help="model file for --start (default: muse's default)")
    parser.add_argument("--port", type=int, default=18093)
    parser.add_argument("--photo", default=os.path.join(FIXTURES, "shelf-02.jpg"))
    parser.add_argument("--question", default="Which of these is the healthiest?")
    parser.add_argument("-n", type=int, default=10, help="requests, one after another (default 10)")
    args = parser.parse_args()
    with open(args.photo, "rb") as photo:
        image = "data:image/jpeg;base64," + base64.b64encode(photo.read()).decode()
    body = json.dumps({"image_url": image, "question": args.question, "stream": True})
    server, url = start_server(args.muse, args.port, args.model) if args.start else (None, args.url)
    try:
        look(url, args.key, body)  # warm-up: model pages, Tesseract and espeak-ng loaded
        runs = [look(url, args.key, body) for _ in range(args.n)]
    finally:
        if server:
            server.terminate()
            server.wait()
    firsts, totals = [r[0] for r in runs], [r[1] for r in runs]
    print(f"look: {args.n} streamed requests, photo {os.path.basename(args.photo)}, question {args.question!r}")
    print(f"answer: {runs[-1][2]}")
    print(f"time to first audio: median {statistics.median(firsts) * 1000:.0f} ms, p95 {percentile(firsts, 0.95) * 1000:.0f} ms")
    print(f"total: median {statistics.median(totals) * 1000:.0f} ms, p95 {percentile(totals, 0.95) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
