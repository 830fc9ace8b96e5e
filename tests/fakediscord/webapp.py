"""The aiohttp application: gateway at ``/``, REST under ``/api/v10``, attachments, bookkeeping.

The middleware records every request, checks the bot token, turns
:class:`DiscordError` into Discord's JSON error replies and records them.
Errors are never answered with a 5xx: discord.py retries those with
sleeps of several seconds, which would only make a failing test slow.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .backend import Backend
from .errors import DiscordError
from .messages import MULTIPART_JSON_KEY
from .records import RecordLog, RejectedRequest, RequestRecord
from .responses import json_response
from .routes_core import CoreRoutes
from .routes_interactions import InteractionRoutes

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10/"
#: Authenticated by the token in the path instead of the Authorization header.
TOKEN_IN_PATH_PREFIXES = (API_PREFIX + "webhooks/", API_PREFIX + "interactions/")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(
    backend: Backend,
    *,
    requests: RecordLog[RequestRecord],
    unhandled: RecordLog[RequestRecord],
    errors: RecordLog[RejectedRequest],
) -> web.Application:
    async def not_found(request: web.Request) -> web.Response:
        unhandled.append(await _describe(request))
        raise DiscordError(404, 0, "404: Not Found")

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/":
            return await handler(request)
        record = await _describe(request)
        delay = backend.delay_for(request.method, request.path)
        if delay:
            await asyncio.sleep(delay)
        try:
            _check_token(request, backend.token)
            response = await handler(request)
        except DiscordError as exc:
            errors.append(RejectedRequest(request.method, request.path, exc.status, exc.code, exc.message))
            response = json_response(exc.body(), status=exc.status)
        except web.HTTPException:
            raise
        except Exception as exc:
            log.exception("fake Discord crashed handling %s %s", request.method, request.path)
            errors.append(RejectedRequest(request.method, request.path, 400, 0, f"fake server crashed: {exc!r}"))
            response = json_response({"code": 0, "message": f"fake server crashed: {exc!r}"}, status=400)
        record.status = response.status
        if MULTIPART_JSON_KEY in request:
            record.json = request[MULTIPART_JSON_KEY]
        requests.append(record)
        return response

    app = web.Application(middlewares=[middleware])
    app.router.add_get("/", backend.gateway.handle)
    app.router.add_routes(CoreRoutes(backend).routes())
    app.router.add_routes(InteractionRoutes(backend).routes())
    app.router.add_route("*", "/{tail:.*}", not_found)
    return app


def _check_token(request: web.Request, token: str) -> None:
    path = request.path
    needs_token = path.startswith(API_PREFIX) and not path.startswith(TOKEN_IN_PATH_PREFIXES)
    if needs_token and request.headers.get("Authorization") != f"Bot {token}":
        raise DiscordError(401, 0, "401: Unauthorized")


async def _describe(request: web.Request) -> RequestRecord:
    """The request with its JSON body (multipart bodies are filled in after the handler parsed them)."""
    body: Any = None
    if not request.content_type.startswith("multipart/"):
        raw = await request.read()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
    return RequestRecord(request.method, request.path, dict(request.query), body,
                         user_agent=request.headers.get("User-Agent", ""))
