"""`muse serve` with the WhatsApp webhook, a fake Graph API on loopback recording every send, and
a kill -9 right after the webhook's 200 (while the reply is being written): the restarted server
sends the reply, once, and a duplicate delivered after the restart gets none.

Run by scripts/webhooks-test.sh; needs MUSE_BIN. Uses only the standard library.
"""
import hashlib
import hmac
import http.server
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

MUSE = os.environ.get("MUSE_BIN", ".build/release/muse")
SECRET, VERIFY, TOKEN = "integration-secret", "integration-verify", "integration-token"


class FakeGraph(http.server.ThreadingHTTPServer):
    def __init__(self):
        self.sends = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), FakeGraph.Handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            ok = self.headers.get("Authorization") == f"Bearer {TOKEN}" and self.path.endswith("/messages")
            with self.server.lock:
                self.server.sends.append((self.path, body))
                number = len(self.server.sends)
            out = json.dumps({"messaging_product": "whatsapp", "messages": [{"id": f"wamid.out.{number}"}]} if ok
                             else {"error": {"message": "bad token", "code": 190}}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass


class Server:
    def __init__(self, data_dir, graph_port, log_path):
        self.log = open(log_path, "w+")
        env = dict(os.environ, MUSE_META_APP_SECRET=SECRET, MUSE_META_VERIFY_TOKEN=VERIFY, MUSE_META_ACCESS_TOKEN=TOKEN)
        self.process = subprocess.Popen(
            [MUSE, "serve", "--port", "0", "--data-dir", data_dir, "--ctx", "512", "--slots", "2",
             "--graph-base-url", f"http://127.0.0.1:{graph_port}/v25.0"], stdout=self.log, stderr=self.log, env=env)
        self.port = None
        deadline = time.time() + 120
        while time.time() < deadline and self.port is None and self.process.poll() is None:
            time.sleep(0.2)
            self.log.seek(0)
            match = re.search(r"on http://127\.0\.0\.1:(\d+)/v1", self.log.read())
            self.port = int(match.group(1)) if match else None
        if self.port is None:
            self.log.seek(0)
            raise AssertionError("muse serve did not start: " + self.log.read())

    def stop(self, sig):
        self.process.send_signal(sig)
        self.process.wait()


def whatsapp_text(message_id, body):
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": "PN1"},
        "contacts": [{"profile": {"name": "Sheena"}, "wa_id": "16505551234"}],
        "messages": [{"from": "16505551234", "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                      "text": {"body": body}}]}}]}]}).encode()


def deliver(port, body, secret=SECRET):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/whatsapp", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class WebhooksSurviveAKill(unittest.TestCase):
    def test_a_reply_is_sent_once_after_kill_and_restart(self):
        graph = FakeGraph()
        threading.Thread(target=graph.serve_forever, daemon=True).start()
        work = tempfile.mkdtemp(prefix="muse-webhooks-")
        data = os.path.join(work, "data")
        first = Server(data, graph.server_address[1], os.path.join(work, "first.log"))
        with urllib.request.urlopen(f"http://127.0.0.1:{first.port}/webhooks/whatsapp?hub.mode=subscribe"
                                    f"&hub.verify_token={VERIFY}&hub.challenge=1158201444", timeout=30) as response:
            self.assertEqual(response.read(), b"1158201444")
        self.assertEqual(deliver(first.port, whatsapp_text("wamid.K1", "Hi!"), secret="forged"), 403)
        message = whatsapp_text("wamid.K1", "What is the capital of France?")
        self.assertEqual(deliver(first.port, message), 200)
        first.stop(signal.SIGKILL)  # the reply was at best being generated
        self.assertEqual(graph.sends, [])

        second = Server(data, graph.server_address[1], os.path.join(work, "second.log"))
        try:
            self.assertEqual(deliver(second.port, message), 200)  # Meta's retry, after the restart
            self.assertEqual(deliver(second.port, whatsapp_text("wamid.K2", "Thanks!")), 200)
            deadline = time.time() + 300
            while time.time() < deadline and len(graph.sends) < 2:
                time.sleep(0.2)
            time.sleep(1)  # a wrongly sent third reply would have followed the second at once
        finally:
            second.stop(signal.SIGTERM)
            graph.shutdown()
        self.assertEqual(len(graph.sends), 2, graph.sends)
        for path, body in graph.sends:
            self.assertEqual(path, "/v25.0/PN1/messages")
            self.assertEqual(body["to"], "16505551234")
            self.assertTrue(body["text"]["body"].strip())


if __name__ == "__main__":
    unittest.main()
