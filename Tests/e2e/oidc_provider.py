"""A small OpenID Connect provider on loopback for the web end-to-end test.

Real discovery, a JWKS with one RSA key, the authorization-code flow with PKCE S256 checked at
the token endpoint, client_secret_basic, and RS256-signed ID tokens carrying the nonce. The RSA
key is made and every signature computed by the system's `openssl` (Debian's package), so the
provider needs nothing but the standard library. It signs in one fixed test user without asking.

Usage: python3 oidc_provider.py PORT CLIENT_ID CLIENT_SECRET   (prints "ready" when listening)
"""
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ID_TOKEN_LIFETIME_S = 300
SUBJECT = "e2e-user-0001"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Keys:
    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="muse-oidc-")
        self.path = os.path.join(self.folder, "key.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.path],
                       check=True, capture_output=True)
        modulus = subprocess.run(["openssl", "rsa", "-in", self.path, "-noout", "-modulus"], check=True,
                                 capture_output=True, text=True).stdout.strip().split("=", 1)[1]
        self.kid = "e2e-" + hashlib.sha256(modulus.encode()).hexdigest()[:8]
        # openssl genpkey uses e = 65537.
        self.jwk = {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                    "n": b64url(bytes.fromhex(modulus)), "e": b64url((65537).to_bytes(3, "big"))}

    def sign(self, payload: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.path], input=signing_input.encode(),
                                   check=True, capture_output=True).stdout
        return signing_input + "." + b64url(signature)


def main():
    port, client_id, client_secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    issuer = f"http://127.0.0.1:{port}"
    keys = Keys()
    codes = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_json(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                self.send_json(200, {
                    "issuer": issuer, "authorization_endpoint": issuer + "/authorize", "token_endpoint": issuer + "/token",
                    "jwks_uri": issuer + "/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic"], "scopes_supported": ["openid", "email", "profile"],
                })
            elif url.path == "/jwks":
                self.send_json(200, {"keys": [keys.jwk]})
            elif url.path == "/authorize":
                if (query.get("client_id") != client_id or query.get("response_type") != "code"
                        or query.get("code_challenge_method") != "S256" or "openid" not in query.get("scope", "").split()):
                    self.send_json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(24)
                codes[code] = query
                location = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                self.send_response(302)
                self.send_header("Location", location)
                self.end_headers()
            else:
                self.send_json(404, {"error": "not_found"})

        def do_POST(self):
            if self.path != "/token":
                self.send_json(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            expected = "Basic " + base64.b64encode(f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(client_secret)}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_json(401, {"error": "invalid_client"})
                return
            asked = codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            if (asked is None or form.get("grant_type") != "authorization_code" or form.get("redirect_uri") != asked["redirect_uri"]
                    or b64url(hashlib.sha256(verifier.encode()).digest()) != asked["code_challenge"]):
                self.send_json(400, {"error": "invalid_grant"})
                return
            now = int(time.time())
            id_token = keys.sign({"iss": issuer, "sub": SUBJECT, "aud": client_id, "iat": now, "exp": now + ID_TOKEN_LIFETIME_S,
                                  "nonce": asked["nonce"], "email": "e2e@example.test", "email_verified": True, "name": "E2E Tester"})
            self.send_json(200, {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 3600,
                                 "id_token": id_token})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
