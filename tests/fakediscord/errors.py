"""Discord-style API errors raised by route handlers and turned into JSON replies."""

from __future__ import annotations

from typing import Any


class DiscordError(Exception):
    """An error Discord would answer with (``{"code": ..., "message": ...}``)."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def invalid_form(reason: str) -> DiscordError:
    """Discord's generic validation failure (discord.py maps it to CommandSyncFailure on sync)."""
    return DiscordError(
        400, 50035, "Invalid Form Body", {"_errors": [{"code": "BASE_TYPE_INVALID", "message": reason}]}
    )


def unknown(kind: str, code: int) -> DiscordError:
    return DiscordError(404, code, f"Unknown {kind}")


UNKNOWN_CHANNEL = 10003
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_WEBHOOK = 10015
UNKNOWN_MEMBER = 10007
UNKNOWN_INTERACTION = 10062
UNKNOWN_COMMAND = 10063
UNKNOWN_ATTACHMENT = 10049
