"""HTTP replies shaped like Discord's."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with a bare ``application/json`` content type.

    discord.py (``http.json_or_text``) only decodes bodies whose content type is
    exactly ``application/json``; aiohttp's ``json_response`` adds a charset.
    """
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    return web.Response(status=204)
