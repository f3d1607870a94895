"""The official `openai` Python client against a running `muse serve` (MUSE_BASE_URL).

Run by scripts/openai-conformance.sh, which installs the client and starts the server.
"""
import json
import os
import unittest

import openai

BASE_URL = os.environ["MUSE_BASE_URL"]
client = openai.OpenAI(base_url=BASE_URL, api_key=os.environ.get("MUSE_API_KEY", "unused"), max_retries=0, timeout=120)
MODEL = client.models.list().data[0].id
EMBEDDER = "all-MiniLM-L6-v2"
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


class Models(unittest.TestCase):
    def test_list_and_retrieve(self):
        ids = [m.id for m in client.models.list().data]
        self.assertEqual(ids, [MODEL, EMBEDDER])
        self.assertEqual(client.models.retrieve(MODEL).id, MODEL)

    def test_unknown_model_is_404(self):
        with self.assertRaises(openai.NotFoundError):
            client.models.retrieve("no-such-model")


class ChatCompletions(unittest.TestCase):
    def greedy(self, **extra):
        return client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0, max_tokens=16, **extra)

    def test_plain(self):
        reply = self.greedy()
        self.assertEqual(reply.object, "chat.completion")
        self.assertEqual(reply.model, MODEL)
        self.assertTrue(reply.system_fingerprint.startswith("muse-"))
        self.assertEqual(reply.choices[0].message.role, "assistant")
        self.assertTrue(reply.choices[0].message.content)
        self.assertIn(reply.choices[0].finish_reason, ("stop", "length"))
        self.assertEqual(reply.usage.total_tokens, reply.usage.prompt_tokens + reply.usage.completion_tokens)
        self.assertIsNotNone(reply.usage.prompt_tokens_details.cached_tokens)

    def test_stream_matches_plain(self):
        plain = self.greedy().choices[0].message.content
        chunks = list(client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=0, max_tokens=16,
                                                     stream=True, stream_options={"include_usage": True}))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        self.assertEqual(text, plain)
        self.assertEqual(chunks[0].choices[0].delta.role, "assistant")
        self.assertIsNotNone(chunks[-1].usage)
        self.assertGreater(chunks[-1].usage.completion_tokens, 0)

    def test_two_choices_with_a_seed_repeat(self):
        def ask():
            reply = client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=1, seed=11, n=2,
                                                   max_tokens=12)
            return [c.message.content for c in reply.choices]
        first = ask()
        self.assertEqual(len(first), 2)
        self.assertEqual(ask(), first)

    def test_stop(self):
        full = self.greedy().choices[0].message.content
        words = full.split(" ")
        self.assertGreater(len(words), 3, full)
        reply = self.greedy(stop=[words[2]])
        self.assertNotIn(words[2], reply.choices[0].message.content)
        self.assertEqual(reply.choices[0].finish_reason, "stop")

    def test_logprobs(self):
        reply = self.greedy(logprobs=True, top_logprobs=2)
        content = reply.choices[0].logprobs.content
        self.assertTrue(content)
        for entry in content:
            self.assertEqual(len(entry.top_logprobs), 2)
            self.assertLessEqual(entry.logprob, 0)
            self.assertEqual(entry.token, entry.top_logprobs[0].token)

    def test_json_mode_parses(self):
        reply = client.chat.completions.create(
            model=MODEL, temperature=0, max_tokens=96, response_format={"type": "json_object"},
            messages=[{"role": "user", "content": "Reply with a JSON object with the keys city and country for Paris."}])
        self.assertEqual(reply.choices[0].finish_reason, "stop")
        self.assertEqual(json.loads(reply.choices[0].message.content)["city"], "Paris")

    def test_bad_requests_are_400(self):
        with self.assertRaises(openai.BadRequestError) as caught:
            client.chat.completions.create(model="gpt-nothing", messages=QUESTION)
        self.assertEqual(caught.exception.code, "model_not_found")
        with self.assertRaises(openai.BadRequestError) as caught:
            client.chat.completions.create(model=MODEL, messages=QUESTION, temperature=3)
        self.assertEqual(caught.exception.param, "temperature")
        with self.assertRaises(openai.BadRequestError) as caught:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "word " * 5000}])
        self.assertEqual(caught.exception.code, "context_length_exceeded")

    def test_oversized_body_is_413(self):
        with self.assertRaises(openai.APIStatusError) as caught:
            client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x" * (5 << 20)}])
        self.assertEqual(caught.exception.status_code, 413)


class Completions(unittest.TestCase):
    def test_text_completion(self):
        reply = client.completions.create(model=MODEL, prompt="The capital of France is", temperature=0, max_tokens=8)
        self.assertEqual(reply.object, "text_completion")
        self.assertTrue(reply.choices[0].text)
        streamed = "".join(c.choices[0].text for c in client.completions.create(
            model=MODEL, prompt="The capital of France is", temperature=0, max_tokens=8, stream=True) if c.choices)
        self.assertEqual(streamed, reply.choices[0].text)


class Embeddings(unittest.TestCase):
    def test_similar_sentences_are_close(self):
        reply = client.embeddings.create(model=EMBEDDER, input=["Which cereal has the least sugar?",
                                                              "Low-sugar breakfast cereals for kids",
                                                              "The train to Berlin leaves at noon"])
        a, b, c = (item.embedding for item in reply.data)
        self.assertEqual(len(a), 384)
        dot = lambda x, y: sum(p * q for p, q in zip(x, y))
        self.assertAlmostEqual(dot(a, a), 1.0, places=4)
        self.assertAlmostEqual(dot(a, b), 0.72, places=2)
        self.assertLess(abs(dot(a, c)), 0.05)
        self.assertEqual(reply.usage.prompt_tokens, reply.usage.total_tokens)


if __name__ == "__main__":
    unittest.main()
