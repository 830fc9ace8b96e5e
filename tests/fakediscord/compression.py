"""Gateway transport compression, as requested by the ``compress`` query parameter.

discord.py 2.7 always asks for ``compress=zstd-stream`` when a zstd module
(``zstandard`` or Python 3.14's ``compression.zstd``) is importable and for
``compress=zlib-stream`` otherwise (``discord.utils._ActiveDecompressionContext``).
zlib-stream is implemented exactly (one shared deflate stream per connection,
each message ending in a Z_SYNC_FLUSH).  For anything else the fake sends
plain JSON text frames: discord.py only decompresses *binary* frames, so text
frames are understood whatever compression it asked for.
"""

from __future__ import annotations

import zlib
from typing import Protocol

ZLIB_STREAM = "zlib-stream"


class FrameEncoder(Protocol):
    name: str

    def encode(self, text: str) -> str | bytes:
        """A websocket frame: ``str`` for a text frame, ``bytes`` for a binary one."""
        ...


class PlainEncoder:
    name = "none"

    def encode(self, text: str) -> str:
        return text


class ZlibStreamEncoder:
    name = ZLIB_STREAM

    def __init__(self) -> None:
        self._compressor = zlib.compressobj()

    def encode(self, text: str) -> bytes:
        return self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)


def encoder_for(compress: str | None) -> FrameEncoder:
    return ZlibStreamEncoder() if compress == ZLIB_STREAM else PlainEncoder()
