"""Local stand-ins for an OpenAI-compatible chat-completions server, to test the LLM voice against.

    with FakeLLM(speaks(quoting("The essay says {quote}. Why?"))) as server:
        client = ChatClient(server.url, "fake")

`FakeLLM` is a real aiohttp server on 127.0.0.1 (a free port), run on its own event loop in a thread so that
synchronous and asynchronous tests can both use it. Its behaviour is a handler chosen per test: a well-behaved
(streaming or plain JSON) reply, a slow one, an HTTP error, malformed JSON. Every request body is recorded.
`assert_checked` is the reply contract that holds whatever the server does.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.tutor.composer import MAX_REPLY_CHARS, Reply

QUOTE_MARKS = re.compile(r"“([^“”]*)”")
Handler = Callable[[web.Request, dict[str, Any]], Awaitable[web.StreamResponse]]
Script = Callable[[dict[str, Any]], str]  # what the "model" says, given the request body


class FakeLLM:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-llm", daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
                 ) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        # a handler still running past the short shutdown timeout (a slow script whose client gave up) is cancelled
        # and awaited here: left pending on a closed loop, it is reported "destroyed but pending" whenever it is
        # collected, in the log of whichever later test is running then
        asyncio.run_coroutine_threadsafe(_cancel_the_rest(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        return await self.handler(request, body)


# ---- behaviours --------------------------------------------------------------------------------------------------
async def _cancel_the_rest() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def speaks(script: Script, *, delay: float = 0.0) -> Handler:
    """A well-behaved server: the script's text, streamed word by word (`delay` seconds apart) when asked to
    stream, else as one JSON response."""

    async def handler(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        text = script(body)
        if not body.get("stream"):
            return web.json_response({"choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                                   "finish_reason": "stop"}]})
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await _event(response, {"choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        for piece in re.findall(r"\S+\s*", text):
            await asyncio.sleep(delay)
            await _event(response, {"choices": [{"index": 0, "delta": {"content": piece}}]})
        await _event(response, {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        await response.write(b"data: [DONE]\n\n")
        return response

    return handler


def slow(seconds: float) -> Handler:
    """Accepts the request, then says nothing for `seconds`."""

    async def handler(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.json_response({"choices": [{"message": {"content": "Too late?"}}]})

    return handler


def fails(status: int) -> Handler:
    async def handler(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        return web.json_response({"error": {"message": "the model crashed"}}, status=status)

    return handler


def malformed(*, stream: bool) -> Handler:
    """A 200 whose body is not the JSON it should be: a broken stream chunk, or a broken JSON document."""

    async def handler(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        if not stream:
            return web.Response(text='{"choices": [{"message": ', content_type="application/json")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await _event(response, {"choices": [{"index": 0, "delta": {"content": "The essay"}}]})
        await response.write(b'data: {"choices": [{"delta": {"content": \n\n')
        return response

    return handler


async def _event(response: web.StreamResponse, data: dict[str, Any]) -> None:
    await response.write(f"data: {json.dumps(data)}\n\n".encode())


# ---- scripts ------------------------------------------------------------------------------------------------------
def quoting(template: str) -> Script:
    """A script filling `{quote}` with a real quote (in “ ”) from the first passage of the prompt, and `{question}`
    with the example question the prompt gives."""

    def script(body: dict[str, Any]) -> str:
        system = body["messages"][0]["content"]
        return template.format(quote=f"“{prompt_quote(system)}”", question=prompt_question(system))

    return script


def prompt_quote(system: str) -> str:
    """The first eight words of the first passage in the prompt: verbatim, so a quote the checks accept."""
    passage = system.split("[1] ", 1)[1].split("\n", 2)[1]
    return " ".join(passage.split()[:8]).rstrip(",;:.")


def prompt_question(system: str) -> str:
    return system.rsplit("For example: ", 1)[1].strip()


# ---- the contract ---------------------------------------------------------------------------------------------------
def assert_checked(reply: Reply, corpus: str) -> None:
    """The reply contract, whatever the model did: one closing question, verbatim quotes, no mentions, short."""
    assert reply.reply == f"{reply.answer}\n\n{reply.question}"
    assert reply.question.rstrip("”").endswith("?")
    assert "?" not in QUOTE_MARKS.sub("", reply.answer)
    assert len(reply.reply) <= MAX_REPLY_CHARS
    assert not re.search(r"@everyone|@here|<@", reply.reply)
    assert reply.quotes
    for quote in reply.quotes:
        assert quote.text in corpus, quote.text
    for quoted in QUOTE_MARKS.findall(reply.answer):
        assert quoted in corpus, quoted
    assert set(reply.to_json()) == {"reply", "answer", "question", "move", "stance", "quotes", "essay"}
