#!/usr/bin/env python3
"""Drives `mlxlm server` with the real OpenAI Python client and prints one
JSON report of what it saw; the Go test (server_test.go) checks it.

usage: openai_client.py BASE_URL CASE...

Every request has a client timeout and every loop a fixed count, so a hung
server fails the run instead of hanging it.
"""
import concurrent.futures
import json
import sys
import time

import httpx2 as httpx
import openai

BASE = sys.argv[1]
client = openai.OpenAI(base_url=BASE + "/v1", api_key="none", timeout=120, max_retries=0)
MSG = [{"role": "user", "content": "Say something."}]


def chat_plain():
    r = client.chat.completions.create(model="default_model", messages=MSG, max_tokens=12, temperature=0)
    c = r.choices[0]
    return dict(text=c.message.content, finish=c.finish_reason, role=c.message.role,
                usage=r.usage.model_dump(), object=r.object, id=r.id)


def chat_stream():
    stream = client.chat.completions.create(model="default_model", messages=MSG, max_tokens=12, temperature=0,
                                            stream=True, stream_options={"include_usage": True})
    parts, finish, usage, chunks = [], None, None, 0
    for chunk in stream:
        chunks += 1
        if chunk.usage is not None:
            usage = chunk.usage.model_dump()
        for c in chunk.choices:
            if c.delta.content:
                parts.append(c.delta.content)
            if c.finish_reason:
                finish = c.finish_reason
    return dict(text="".join(parts), finish=finish, usage=usage, chunks=chunks)


def completion():
    r = client.completions.create(model="default_model", prompt="Once upon a time", max_tokens=10, temperature=0)
    return dict(text=r.choices[0].text, finish=r.choices[0].finish_reason, usage=r.usage.model_dump())


def completion_stream():
    parts = []
    for chunk in client.completions.create(model="default_model", prompt="Once upon a time", max_tokens=10,
                                           temperature=0, stream=True):
        for c in chunk.choices:
            parts.append(c.text)
    return dict(text="".join(parts))


def one_stream(i):
    msgs = [{"role": "user", "content": f"Tell me about the number {i}."}]
    parts = []
    t0 = time.time()
    for chunk in client.chat.completions.create(model="default_model", messages=msgs, max_tokens=16,
                                                temperature=0, stream=True):
        for c in chunk.choices:
            if c.delta.content:
                parts.append(c.delta.content)
    return dict(i=i, text="".join(parts), seconds=time.time() - t0)


def concurrent16():
    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        out = list(ex.map(one_stream, range(16)))
    seq = [one_stream(i)["text"] for i in range(16)]
    return dict(concurrent=[o["text"] for o in out], sequential=seq)


def metric(name):
    text = httpx.get(BASE + "/metrics", timeout=30).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise KeyError(name)


def disconnect():
    before = metric("mlxlm_requests_cancelled_total")
    got = 0
    with httpx.Client(timeout=60) as h:
        with h.stream("POST", BASE + "/v1/chat/completions",
                      json=dict(messages=MSG, max_tokens=5000, temperature=0, stream=True)) as resp:
            for line in resp.iter_lines():
                if line.startswith("data: "):
                    got += 1
                if got >= 3:
                    break
    # The slot must be freed within a step: poll the batch size, bounded.
    freed_after = None
    t0 = time.time()
    for _ in range(200):
        if metric("mlxlm_batch_size") == 0 and metric("mlxlm_requests_cancelled_total") > before:
            freed_after = time.time() - t0
            break
        time.sleep(0.05)
    after = chat_plain()
    return dict(chunks_read=got, freed_after=freed_after, next_ok=after["finish"] in ("stop", "length"),
                generated=metric("mlxlm_engine_generated_tokens_total"))


def expect_error(fn):
    try:
        fn()
    except openai.APIStatusError as e:
        body = e.response.json()
        return dict(status=e.status_code, error=body.get("error"))
    return dict(status=200)


def raw(body, path="/v1/chat/completions", **kw):
    r = httpx.post(BASE + path, content=body, timeout=30, **kw)
    try:
        j = r.json()
    except Exception:
        j = None
    return dict(status=r.status_code, error=(j or {}).get("error") if isinstance(j, dict) else None,
                retry_after=r.headers.get("retry-after"))


def bad_requests():
    return {
        "negative_temperature": expect_error(lambda: client.chat.completions.create(
            model="default_model", messages=MSG, temperature=-1)),
        "top_p_too_big": expect_error(lambda: client.chat.completions.create(
            model="default_model", messages=MSG, top_p=2)),
        "max_tokens_zero": expect_error(lambda: client.chat.completions.create(
            model="default_model", messages=MSG, max_tokens=0)),
        "unknown_model": expect_error(lambda: client.chat.completions.create(model="nope/nope", messages=MSG)),
        "n_2": expect_error(lambda: client.chat.completions.create(model="default_model", messages=MSG, n=2)),
        "no_messages": raw(b'{"model": "default_model"}'),
        "not_json": raw(b'{"messages": ['),
        "not_object": raw(b'[1, 2]'),
        "too_large": raw(b'{"messages": [{"role": "user", "content": "' + b"x" * (9 << 20) + b'"}]}'),
        "unknown_route": dict(status=httpx.get(BASE + "/v1/nothing", timeout=30).status_code,
                              error=httpx.get(BASE + "/v1/nothing", timeout=30).json().get("error")),
        "wrong_method": dict(status=httpx.get(BASE + "/v1/chat/completions", timeout=30).status_code),
        "bad_logit_bias": raw(b'{"messages": [{"role": "user", "content": "x"}], "logit_bias": {"a": 1}}'),
        "image_part": raw(json.dumps({"messages": [{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "http://example.invalid/x.png"}}]}]}).encode()),
    }


def models():
    ms = client.models.list()
    return dict(ids=[m.id for m in ms.data], health=httpx.get(BASE + "/health", timeout=30).json())


def logprobs():
    r = client.chat.completions.create(model="default_model", messages=MSG, max_tokens=4, temperature=0,
                                       logprobs=True, top_logprobs=3)
    content = r.choices[0].logprobs.content
    return dict(n=len(content), top=[len(c.top_logprobs) for c in content],
                first=content[0].model_dump())


def tools():
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    r = client.chat.completions.create(model="default_model", messages=[{"role": "user", "content": "Weather in Paris?"}],
                                       tools=tools, max_tokens=64, temperature=0)
    c = r.choices[0]
    calls = [dict(name=t.function.name, arguments=t.function.arguments, type=t.type) for t in (c.message.tool_calls or [])]
    stream_calls = []
    for chunk in client.chat.completions.create(model="default_model", messages=[{"role": "user", "content": "Weather in Paris?"}],
                                                tools=tools, max_tokens=64, temperature=0, stream=True):
        for ch in chunk.choices:
            for t in ch.delta.tool_calls or []:
                stream_calls.append(dict(index=t.index, name=t.function.name, arguments=t.function.arguments))
            if ch.finish_reason:
                stream_finish = ch.finish_reason
    # A follow-up turn with the call and its result goes through the template.
    follow = client.chat.completions.create(model="default_model", messages=[
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {
            "name": "get_weather", "arguments": json.dumps({"city": "Paris"})}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}], tools=tools, max_tokens=4, temperature=0)
    return dict(calls=calls, finish=c.finish_reason, content=c.message.content, reasoning=getattr(c.message, "reasoning", None),
                stream_calls=stream_calls, stream_finish=stream_finish, follow_finish=follow.choices[0].finish_reason)


CASES = dict(chat_plain=chat_plain, chat_stream=chat_stream, completion=completion,
             completion_stream=completion_stream, concurrent16=concurrent16, disconnect=disconnect,
             bad_requests=bad_requests, models=models, logprobs=logprobs, tools=tools)

if __name__ == "__main__":
    report = {}
    for name in sys.argv[2:]:
        report[name] = CASES[name]()
    print(json.dumps(report))
