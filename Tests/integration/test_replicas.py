"""Two `muse serve` replicas on one PostgreSQL, behind nginx (all on loopback): they share keys,
rate limits and usage, and a kill -9 loses no usage record; with the webhooks on, a message
delivered to both replicas is answered and sent once.

Run by scripts/replicas-test.sh (which starts PostgreSQL and finds nginx); needs MUSE_BIN and
MUSE_TEST_DATABASE_URL. Uses only the standard library.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import threading
import uuid

from test_webhooks_kill import SECRET, TOKEN, VERIFY, FakeGraph, deliver, whatsapp_text

MUSE = os.environ.get("MUSE_BIN", ".build/release/muse")
SERVER_URL = os.environ["MUSE_TEST_DATABASE_URL"]
RPM = 4


def fresh_database():
    name = "replicas_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", SERVER_URL, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    return SERVER_URL.rsplit("/", 1)[0] + "/" + name


def muse(*args):
    done = subprocess.run([MUSE, *args], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"muse {' '.join(args)} failed: {done.stderr}")
    return done.stdout


class Replica:
    def __init__(self, database_url, workdir, index, graph_port=None):
        self.log = open(os.path.join(workdir, f"replica{index}.log"), "w+")
        args, env = [], dict(os.environ)
        if graph_port:
            args = ["--graph-base-url", f"http://127.0.0.1:{graph_port}/v25.0"]
            env.update(MUSE_META_APP_SECRET=SECRET, MUSE_META_VERIFY_TOKEN=VERIFY, MUSE_META_ACCESS_TOKEN=TOKEN)
        self.process = subprocess.Popen(
            [MUSE, "serve", "--port", "0", "--database-url", database_url, "--ctx", "256", "--slots", "2", *args],
            stdout=self.log, stderr=self.log, env=env)
        self.port = None
        deadline = time.time() + 120
        while time.time() < deadline and self.port is None:
            time.sleep(0.2)
            self.log.seek(0)
            match = re.search(r"on http://127\.0\.0\.1:(\d+)/v1", self.log.read())
            if match:
                self.port = int(match.group(1))
            if self.process.poll() is not None:
                break
        if self.port is None:
            self.log.seek(0)
            raise AssertionError("replica did not start: " + self.log.read())

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def start_nginx(workdir, ports):
    listen = free_port()
    upstream = "\n".join(f"server 127.0.0.1:{p};" for p in ports)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(workdir, sub), exist_ok=True)
    os.chmod(workdir, 0o777)
    user = "user root;" if os.geteuid() == 0 else ""
    config = f"""
{user}
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log {workdir}/nginx-access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    upstream muse {{ {upstream} }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://muse;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""
    path = os.path.join(workdir, "nginx.conf")
    with open(path, "w") as f:
        f.write(config)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen([nginx, "-c", path, "-p", workdir], stderr=subprocess.PIPE)
    for _ in range(100):
        time.sleep(0.1)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listen}/health", timeout=2).read()
            return process, listen
        except OSError:
            if process.poll() is not None:
                raise AssertionError("nginx did not start: " + process.stderr.read().decode())
    raise AssertionError("nginx did not answer")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chat(port, key, max_tokens=4):
    body = json.dumps({"model": "SmolLM2-135M-Instruct.Q4_1", "max_tokens": max_tokens, "temperature": 0,
                       "messages": [{"role": "user", "content": "Say hi."}]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def usage_records(database_url):
    return json.loads(muse("usage", "--database-url", database_url, "--requests", "--limit", "1000", "--json"))


class ReplicasTest(unittest.TestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="muse-replicas-")
        self.database_url = fresh_database()
        self.replicas = []
        self.nginx = None

    def tearDown(self):
        if self.nginx:
            self.nginx.terminate()
            self.nginx.wait()
            self.nginx.stderr.close()
        for replica in self.replicas:
            if replica.process.poll() is None:
                replica.kill()
            replica.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def test_limit_keys_and_usage_are_shared_and_survive_a_kill(self):
        out = muse("keys", "create", "--database-url", self.database_url, "--partner", "acme", "--rpm", str(RPM))
        key = out.strip().splitlines()[-1]
        self.assertTrue(key.startswith("sk-muse-"), out)
        self.replicas = [Replica(self.database_url, self.workdir, i) for i in range(2)]
        self.nginx, port = start_nginx(self.workdir, [r.port for r in self.replicas])

        # Not too near the end of a minute: the limit counts per clock minute.
        if time.time() % 60 > 40:
            time.sleep(61 - time.time() % 60)
        statuses = []
        for _ in range(RPM + 2):
            status, headers, body = chat(port, key)
            statuses.append(status)
            if status == 429:
                self.assertEqual(body["error"]["code"], "rate_limit_exceeded")
                self.assertEqual(body["error"]["type"], "requests")
                self.assertGreaterEqual(int(headers["Retry-After"]), 1)
            else:
                self.assertEqual(status, 200, body)
        self.assertEqual(statuses, [200] * RPM + [429, 429], "the limit holds across both replicas")

        records = usage_records(self.database_url)
        self.assertEqual(len(records), RPM + 2)
        self.assertEqual(len({r["server"] for r in records}), 2, "nginx spread the requests over both replicas")
        self.assertTrue(all(r["partner"] == "acme" for r in records))
        self.assertEqual(sorted(r["status"] for r in records), [200] * RPM + [429, 429])
        self.assertTrue(all(r["completionTokens"] == 4 for r in records if r["status"] == 200))

        # kill -9 both replicas, start one again: every record is still there.
        for replica in self.replicas:
            replica.kill()
        self.assertEqual(len(usage_records(self.database_url)), RPM + 2)
        self.replicas.append(Replica(self.database_url, self.workdir, 2))
        fresh = self.replicas[-1].port
        status, _, body = chat(fresh, key)
        self.assertEqual(status, 429, "the restarted replica still sees this minute's count")

        # A key revoked on the command line is refused at once by a running replica.
        muse("keys", "revoke", "--database-url", self.database_url, key[:12])
        status, _, body = chat(fresh, key)
        self.assertEqual(status, 401)
        self.assertEqual(body["error"]["code"], "revoked_api_key")
        status, _, body = chat(fresh, "sk-muse-" + "x" * 40)
        self.assertEqual((status, body["error"]["code"]), (401, "invalid_api_key"))

    def test_a_webhook_delivered_to_both_replicas_is_answered_once(self):
        graph = FakeGraph()
        threading.Thread(target=graph.serve_forever, daemon=True).start()
        try:
            self.replicas = [Replica(self.database_url, self.workdir, i, graph.server_address[1]) for i in range(2)]
            messages = [whatsapp_text(f"wamid.R{n}", f"Question {n}?") for n in range(3)]
            for message in messages:
                # Meta's delivery reaching one replica and its retry the other: both workers wake.
                for replica in self.replicas:
                    self.assertEqual(deliver(replica.port, message), 200)
            deadline = time.time() + 300
            while time.time() < deadline and len(graph.sends) < len(messages):
                time.sleep(0.2)
            time.sleep(5)  # a second answer would follow the other worker's 1 s poll and its model reply
        finally:
            graph.shutdown()
            graph.server_close()
        self.assertEqual(len(graph.sends), len(messages), graph.sends)
        self.assertTrue(all(body["to"] == "16505551234" and body["text"]["body"].strip() for _, body in graph.sends))


if __name__ == "__main__":
    unittest.main(verbosity=2)
