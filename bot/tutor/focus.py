"""Which essay a conversation is about, and when that changes.

A conversation has one focus essay. It is set by the essay chosen when the conversation starts (`/ask`'s essay
option, the weekly thread's essay); else by an essay the reader names (title, author, a character, "the butler
essay"); else by the first substantive message when one essay clearly answers it best; else the tutor asks which
essay, listing them. The focus changes only when the reader clearly moves: they ask to switch, or they ask about
another essay by name outside a comparison. A comparison brings a second essay in beside the focus (`other`) and
leaves the focus where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.retrieval.catalog import Naming
from bot.tutor.understanding import Kind

NAMED = 0.5  # a naming at least this strong points at the essay (see EssayCatalog.named_in)
CLEAR_MARGIN = 0.1  # the first message's best essay must beat the next by this much (see Tutor._rank_essays)
CLEAR_SCORE = 0.45
HINT_WORDS = 2  # a description points at an essay with at least this many words only it (or one other) uses,
HINT_USES = 5  # used this often in it all told,
HINT_LEAD = 2.0  # and this many times as often as in any other essay
_SUBSTANTIVE = frozenset({Kind.QUESTION, Kind.POSITION, Kind.MEANING, Kind.MENTION, Kind.READING_CHECK, Kind.STORY,
                          Kind.REJECT_EVIDENCE, Kind.APPROVAL, Kind.OPINION, Kind.COMPARE})
# a message about both essays of a comparison answers from both
_TOGETHER = frozenset({Kind.QUESTION, Kind.POSITION, Kind.READING_CHECK, Kind.COMPARE, Kind.MENTION})
# turns whose subject moves the focus when it belongs to another essay (a meaning or a mention is looked up in the
# essay that has it, without moving)
_DRIFTING = frozenset({Kind.QUESTION, Kind.POSITION, Kind.READING_CHECK, Kind.STORY, Kind.REJECT_EVIDENCE})


@dataclass(frozen=True)
class Focus:
    essay: str | None
    other: str | None = None  # a second essay the reader brought in (a comparison)
    changed: bool = False  # the focus moved to another essay with this message
    # chosen | named | described | only | retrieval | kept | pending (ask which essay) | guessed | general (two essays)
    source: str = "kept"
    named_other: bool = False  # this message names an essay other than the focus
    together: bool = False  # the message asks both essays of a comparison ("does either essay mention X?")


def hinted(distinctive: dict[str, dict[str, int]]) -> str | None:
    """The essay a message describes, from its words only that essay (or one other) uses (see
    EssayCatalog.distinctive), or None when no essay clearly leads."""
    ranked = sorted(((len(uses), sum(uses.values()), essay_id) for essay_id, uses in distinctive.items()),
                    reverse=True)
    if not ranked:
        return None
    words, total, essay_id = ranked[0]
    runner_up = max((t for _, t, e in ranked[1:]), default=0)
    return essay_id if words >= HINT_WORDS and total >= HINT_USES and total >= HINT_LEAD * runner_up else None


def decide(*, current: str | None, chosen: str | None, other: str | None, namings: Sequence[Naming], kind: Kind,
           switch: bool, essays: Sequence[str], best_essays: Callable[[], list[tuple[str, float]]],
           asked: int, general: bool = False, described: str | None = None,
           passing: frozenset[str] = frozenset(), source: str | None = None) -> Focus:
    """The focus after a message. `best_essays` ranks essays for the message (called only when needed); `asked`:
    how many times the tutor has already asked which essay (after two, it takes the closest and says so);
    `general`: the reader wants no one essay ("in general"), so the closest two answer side by side; `described`:
    the essay the message describes (see `hinted`); `passing`: essays named only in a comparison ("like in X");
    `source`: how the current focus was set (a comparison keeps it; a move to another essay sets it anew)."""
    named = [n.essay_id for n in namings if n.strength >= NAMED and n.essay_id in essays]
    # the chosen essay holds (passed again with every message, as `--essay` does), unless the reader compares it
    # with another and the focus is, for now, on that other one
    in_comparison = other == chosen and source in ("chosen", "kept")
    if chosen is not None and current != chosen and not in_comparison:
        extra = next((e for e in named if e != chosen), None)
        return Focus(chosen, extra if kind is Kind.COMPARE else other, changed=current is not None,
                     source="chosen", named_other=extra is not None)
    if current is None:
        if named:
            second = next((e for e in named[1:]), None) if kind is Kind.COMPARE else None
            return Focus(named[0], second, source="named")
        if described in essays and kind in _SUBSTANTIVE:
            return Focus(described, source="described")
        if len(essays) == 1:
            return Focus(essays[0], source="only")
        if not essays:
            return Focus(None, source="pending")
        if kind in _SUBSTANTIVE or asked >= 2 or general and asked:
            ranked = best_essays()
            if ranked and general and asked and len(ranked) > 1:  # "in general, not one movie": two essays' views
                return Focus(ranked[0][0], ranked[1][0], source="general")
            if ranked and (asked >= 2 or _clear(ranked)):
                return Focus(ranked[0][0], source="retrieval" if _clear(ranked) else "guessed")
        return Focus(None, source="pending")
    others = [e for e in named if e != current]
    if not others:
        if switch and other is not None and kind not in (Kind.COMPARE,):
            return Focus(other, current, changed=True, source="named")  # "let's switch to that one"
        if described in essays and described != current and kind in _DRIFTING:
            return Focus(described, current, changed=True, source="described")  # tattoos, in the Eternal Sunshine talk
        return Focus(current, other)
    if not switch and set(others) <= passing:
        if kind is Kind.COMPARE:  # "it's weirdly similar to the butler one": both, side by side
            return Focus(current, others[0], source="kept", named_other=True)
        return Focus(current, other)  # "like in Severance": an illustration, not a new subject
    target = others[0]
    if target == other and current not in named and kind is not Kind.COMPARE:
        return Focus(target, current, changed=True, source="named", named_other=True)  # they moved to it
    if kind is Kind.COMPARE or (current in named and not switch):
        return Focus(current, target, source="kept", named_other=True)
    if switch or kind in (Kind.MENTION, Kind.MEANING, Kind.QUESTION, Kind.READING_CHECK, Kind.ABOUT,
                          Kind.JUST_ANSWER, Kind.SWITCH):
        return Focus(target, current, changed=True, source="named", named_other=True)
    return Focus(current, target, source="kept", named_other=True)  # a passing mention: bring it in, stay


def within_pair(focus: Focus, *, before: tuple[str | None, str | None], both: bool, kind: Kind,
                named: set[str], addressed: set[str]) -> Focus:
    """Inside a comparison (two essays in the conversation), which of them answers the message.

    A comparison, or a message about the two together (`both`: "does either essay address that?", "would the
    essays support that?"), is answered by both side by side. `addressed`: the essays its question names ("The
    Bartleby essay reads the ending as an evasion. Is there anything comparable at the end of the Remains essay?"
    names Remains): that one answers alone (the focus moves to it), and the other stays in the conversation.
    `named`: every essay the message names (two of them start a comparison). Otherwise the focus stands."""
    pair = {focus.essay, focus.other}
    live = set(before) == pair  # the comparison was already on
    if focus.other is None or not (live or pair <= named):
        return focus  # no comparison, and this message names no two essays (or it left the one there was)
    if kind is Kind.COMPARE or both and kind in _TOGETHER:
        return Focus(focus.essay, focus.other, source="kept", named_other=True, together=True)
    if len(addressed & pair) == 1:
        target = next(iter(addressed & pair))
        other = focus.other if target == focus.essay else focus.essay
        return Focus(target, other, changed=target != before[0], source="kept")
    return focus


def _clear(ranked: list[tuple[str, float]]) -> bool:
    best = ranked[0][1]
    runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
    return best >= CLEAR_SCORE and best - runner_up >= CLEAR_MARGIN
