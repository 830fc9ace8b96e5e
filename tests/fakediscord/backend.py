"""The services route handlers share (one instance per FakeDiscord)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .appcommands import CommandStore
from .errors import DiscordError
from .gateway import Gateway
from .messages import MessageService
from .records import InteractionRecord, InteractionResponse, RecordLog
from .state import FakeState


@dataclass
class Backend:
    state: FakeState
    token: str
    gateway: Gateway
    commands: CommandStore
    messages: MessageService
    interactions: dict[int, InteractionRecord]
    responses: RecordLog[InteractionResponse]
    #: Seconds a bot has to answer an interaction (Discord: 3) before callbacks get 404 Unknown interaction.
    interaction_deadline: float
    clock: Callable[[], float]
    #: (matches(method, path), seconds): requests that match wait that long before they are handled.
    delays: list[tuple[Callable[[str, str], bool], float]] = field(default_factory=list)

    def delay_for(self, method: str, path: str) -> float:
        return sum(seconds for matches, seconds in self.delays if matches(method, path))

    def check_application(self, application_id: str) -> None:
        if application_id != str(self.state.application_id):
            raise DiscordError(404, 10002, "Unknown Application")
