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

    def test_shopping_cards_are_an_extra_field_streamed_or_not(self):
        # The catalogue is the small world scripts/openai-conformance.sh seeds; no model call.
        ask = dict(model=MODEL, messages=[{"role": "user", "content": "A cosy throw blanket or candle for my home under 60"}],
                   user="conformance-shopper", extra_body={"mode": "shopping"})
        plain = client.chat.completions.create(**ask).choices[0].message
        cards = plain.model_extra["shopping_products"]
        self.assertTrue(cards)
        chunks = list(client.chat.completions.create(stream=True, **ask))
        deltas = [c.choices[0].delta for c in chunks if c.choices]
        self.assertEqual(deltas[0].model_extra.get("shopping_products"), cards)
        self.assertTrue(all(d.model_extra.get("shopping_products") is None for d in deltas[1:]))
        text = "".join(d.content or "" for d in deltas)
        self.assertEqual(text, plain.content)
        for card in cards:
            self.assertIn(card["price"], text)
            self.assertIn(card["reason"], text)

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


CITY_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["city", "country", "population"],
    "properties": {"city": {"type": "string"}, "country": {"type": "string", "enum": ["France", "Italy"]},
                   "population": {"type": "integer"}},
}
WEATHER_TOOLS = [
    {"type": "function", "function": {
        "name": "get_weather", "description": "Current weather in a city",
        "parameters": {"type": "object", "additionalProperties": False, "required": ["city", "unit"],
                       "properties": {"city": {"type": "string", "maxLength": 30},
                                      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}},
    {"type": "function", "function": {
        "name": "get_time", "description": "Current time in a time zone",
        "parameters": {"type": "object", "additionalProperties": False, "required": ["zone"],
                       "properties": {"zone": {"type": "string", "maxLength": 30}}}}},
]
WEATHER_QUESTION = [{"role": "user", "content": "What is the weather in Paris?"}]


def schema_errors(value, schema, path="$"):
    """The ways `value` breaks `schema` (the subset used here: type, properties, required,
    additionalProperties, enum, maxLength, items); empty when it validates."""
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    kind = schema.get("type")
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = kind is None or isinstance(value, kinds[kind])
    if not ok:
        return [f"{path}: {value!r} is not {kind}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str) and len(value) > schema.get("maxLength", len(value)):
        errors.append(f"{path}: longer than {schema['maxLength']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{path}: missing {key}" for key in schema.get("required", []) if key not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{path}: extra {key}" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                errors += schema_errors(item, properties[key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{path}[{index}]")
    return errors


class StructuredOutputs(unittest.TestCase):
    def test_json_schema_output_validates(self):
        reply = client.chat.completions.create(
            model=MODEL, temperature=0, max_tokens=120,
            messages=[{"role": "user", "content": "Describe Paris as JSON."}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "city", "strict": True, "schema": CITY_SCHEMA}})
        self.assertEqual(reply.choices[0].finish_reason, "stop")
        value = json.loads(reply.choices[0].message.content)
        self.assertEqual(schema_errors(value, CITY_SCHEMA), [], value)

    def test_unsupported_schema_is_400(self):
        with self.assertRaises(openai.BadRequestError) as caught:
            client.chat.completions.create(
                model=MODEL, messages=QUESTION,
                response_format={"type": "json_schema", "json_schema": {
                    "name": "x", "schema": {"type": "object", "properties": {"s": {"type": "string", "pattern": "a+"}}}}})
        self.assertEqual(caught.exception.param, "response_format")


class Tools(unittest.TestCase):
    def check_call(self, call, name=None):
        self.assertTrue(call.id.startswith("call_"))
        self.assertEqual(call.type, "function")
        tool = next(t["function"] for t in WEATHER_TOOLS if t["function"]["name"] == call.function.name)
        if name:
            self.assertEqual(call.function.name, name)
        arguments = json.loads(call.function.arguments)
        self.assertEqual(schema_errors(arguments, tool["parameters"]), [], arguments)

    def ask(self, messages=WEATHER_QUESTION, **extra):
        return client.chat.completions.create(model=MODEL, messages=messages, tools=WEATHER_TOOLS, temperature=0,
                                              max_tokens=100, **extra)

    def test_round_trip(self):
        reply = self.ask(tool_choice="required", parallel_tool_calls=False)
        choice = reply.choices[0]
        self.assertEqual(choice.finish_reason, "tool_calls")
        self.assertIsNone(choice.message.content)
        self.assertTrue(choice.message.tool_calls)
        for call in choice.message.tool_calls:
            self.check_call(call)
        history = WEATHER_QUESTION + [choice.message.model_dump(exclude_none=True)] + [
            {"role": "tool", "tool_call_id": call.id, "content": "22 degrees celsius and sunny"}
            for call in choice.message.tool_calls]
        final = self.ask(messages=history, tool_choice="none")
        self.assertFalse(final.choices[0].message.tool_calls)
        self.assertTrue(final.choices[0].message.content)

    def test_streamed_calls_accumulate(self):
        plain = self.ask(tool_choice="required").choices[0].message.tool_calls
        calls = {}
        finish = None
        for chunk in self.ask(tool_choice="required", stream=True):
            for choice in chunk.choices:
                finish = choice.finish_reason or finish
                for delta in choice.delta.tool_calls or []:
                    entry = calls.setdefault(delta.index, {"id": None, "name": "", "arguments": ""})
                    entry["id"] = delta.id or entry["id"]
                    entry["name"] += (delta.function.name or "") if delta.function else ""
                    entry["arguments"] += (delta.function.arguments or "") if delta.function else ""
        self.assertEqual(finish, "tool_calls")
        self.assertEqual([(c["name"], c["arguments"]) for _, c in sorted(calls.items())],
                         [(c.function.name, c.function.arguments) for c in plain])
        self.assertTrue(all(c["id"].startswith("call_") for c in calls.values()))
        # The client's own stream helper accumulates the deltas into the same calls.
        with client.chat.completions.stream(model=MODEL, messages=WEATHER_QUESTION, tools=WEATHER_TOOLS,
                                            tool_choice="required", temperature=0, max_tokens=100) as stream:
            final = stream.get_final_completion()
        self.assertEqual(final.choices[0].finish_reason, "tool_calls")
        self.assertEqual([(c.function.name, c.function.arguments) for c in final.choices[0].message.tool_calls],
                         [(c.function.name, c.function.arguments) for c in plain])

    def test_named_function(self):
        reply = self.ask(tool_choice={"type": "function", "function": {"name": "get_time"}}, parallel_tool_calls=False)
        calls = reply.choices[0].message.tool_calls
        self.assertEqual(len(calls), 1)
        self.check_call(calls[0], name="get_time")

    def test_unknown_tool_choice_is_400(self):
        with self.assertRaises(openai.BadRequestError) as caught:
            self.ask(tool_choice={"type": "function", "function": {"name": "no_such_tool"}})
        self.assertEqual(caught.exception.param, "tool_choice")


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
