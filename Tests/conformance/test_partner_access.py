"""Partner keys seen through the official `openai` client: 401 for a missing, unknown or revoked
key, 403 for a model outside the key's allow-list, 429 with Retry-After past the key's request
limit, and every request metered (`muse usage`). Run by scripts/openai-conformance.sh."""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import unittest

import openai

BASE_URL = os.environ["MUSE_BASE_URL"]
MODEL = "SmolLM2-135M-Instruct.Q4_1"


def client(key):
    return openai.OpenAI(base_url=BASE_URL, api_key=key, max_retries=0, timeout=120)


def ask(key, model=MODEL):
    return client(key).chat.completions.create(
        model=model, max_tokens=3, temperature=0, messages=[{"role": "user", "content": "Hi"}])


class PartnerAccessTest(unittest.TestCase):
    def test_a_valid_key_is_served_and_metered(self):
        answer = ask(os.environ["MUSE_API_KEY"])
        self.assertEqual(answer.usage.completion_tokens, 3)
        usage = json.loads(subprocess.run(
            [os.environ["MUSE_BIN"], "usage", "--data-dir", os.environ["MUSE_DATA_DIR"], "--partner", "conformance",
             "--requests", "--json"], check=True, capture_output=True, text=True).stdout)
        mine = [r for r in usage if r["id"] and r["completionTokens"] == 3 and r["status"] == 200]
        self.assertTrue(mine, usage)
        self.assertEqual(mine[0]["promptTokens"], answer.usage.prompt_tokens)
        self.assertEqual(mine[0]["model"], MODEL)

    def test_missing_unknown_and_revoked_keys_are_401(self):
        for key, code in [("sk-muse-" + "0" * 40, "invalid_api_key"), (os.environ["MUSE_REVOKED_KEY"], "revoked_api_key")]:
            with self.assertRaises(openai.AuthenticationError) as caught:
                ask(key)
            self.assertEqual(caught.exception.status_code, 401)
            self.assertEqual(caught.exception.code, code)
        # The client will not send a request without a key; plain HTTP does.
        request = urllib.request.Request(BASE_URL + "/models")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)
        self.assertEqual(caught.exception.code, 401)
        self.assertEqual(caught.exception.headers["WWW-Authenticate"], "Bearer")
        self.assertEqual(json.loads(caught.exception.read())["error"]["code"], "missing_api_key")

    def test_a_model_outside_the_allow_list_is_403(self):
        with self.assertRaises(openai.PermissionDeniedError) as caught:
            ask(os.environ["MUSE_OTHER_MODEL_KEY"])
        self.assertEqual(caught.exception.code, "model_not_allowed")
        models = client(os.environ["MUSE_OTHER_MODEL_KEY"]).models.list()
        self.assertEqual([m.id for m in models.data], [], "the key sees no model it may not use")

    def test_past_the_request_limit_is_429_with_retry_after(self):
        key = os.environ["MUSE_LIMITED_KEY"]
        if time.time() % 60 > 45:  # the limit counts per clock minute: keep the three calls in one
            time.sleep(61 - time.time() % 60)
        statuses = []
        for _ in range(3):
            try:
                ask(key)
                statuses.append(200)
            except openai.RateLimitError as error:
                statuses.append(429)
                self.assertEqual(error.code, "rate_limit_exceeded")
                retry_after = int(error.response.headers["retry-after"])
                self.assertTrue(1 <= retry_after <= 60, retry_after)
        self.assertEqual(statuses, [200, 200, 429])


if __name__ == "__main__":
    unittest.main(verbosity=2)
