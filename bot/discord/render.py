"""What the bot shows on Discord: tutor replies, passages and library listings as embeds, cut to Discord's limits.

Discord rejects a message outright (HTTP 400) when any limit is exceeded, so every text that reaches Discord is
trimmed or split here, at a line or word boundary rather than mid-word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from datetime import datetime

import discord

from bot.corpus.models import Passage
from bot.retrieval.store import EssayRecord
from bot.tutor.argmap import Claim
from bot.tutor.checks import MENTION
from bot.tutor.composer import Quote, Reply

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000  # all text of all embeds of one message
EMBEDS_PER_MESSAGE = 10
THREAD_NAME_LIMIT = 100
CHOICE_LIMIT = 100  # autocomplete choice names
ELLIPSIS = "…"
WRITING = "writing…"

TUTOR_COLOUR = discord.Colour.blurple()
SOURCE_COLOUR = discord.Colour.dark_teal()


def trim(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word boundary and marked with an ellipsis when shortened."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary > limit // 2:
        cut = cut[:boundary]
    return cut.rstrip() + ELLIPSIS


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` characters, split at line breaks, else between words."""
    pieces: list[str] = []
    current = ""
    for line in text.strip().splitlines():
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        current = line
    if current:
        pieces.append(current)
    return pieces


def one_line(text: str) -> str:
    return " ".join(text.split())


def thread_name(question: str) -> str:
    """A thread title from the question that opened it."""
    return trim(one_line(question), THREAD_NAME_LIMIT) or "Essay discussion"


def fit(embed: discord.Embed) -> discord.Embed:
    """Shorten the description so that the whole embed stays within Discord's total of 6000 characters."""
    excess = len(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = trim(embed.description, max(len(embed.description) - excess, 1))
    return embed


def embed_batches(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Group embeds into messages: at most 10 per message and 6000 characters of embed text in total."""
    batches: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not batches or len(batches[-1]) == EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL_LIMIT:
            batches.append([])
            size = 0
        batches[-1].append(embed)
        size += len(embed)
    return batches


def field_embeds(
    title: str, description: str, fields: Iterable[tuple[str, str]], *, colour: discord.Colour
) -> list[discord.Embed]:
    """A titled list as embeds: as many fields per embed as the limits allow, continued in further embeds."""
    first = fit(discord.Embed(title=trim(title, TITLE_LIMIT), description=trim(description, DESCRIPTION_LIMIT),
                              colour=colour))
    embeds = [first]
    for name, value in fields:
        name, value = trim(name, FIELD_NAME_LIMIT) or "-", trim(value, FIELD_VALUE_LIMIT) or "-"
        current = embeds[-1]
        if len(current.fields) == FIELDS_PER_EMBED or len(current) + len(name) + len(value) > EMBED_TOTAL_LIMIT:
            current = discord.Embed(colour=colour)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    return embeds


# ---- tutor replies ----------------------------------------------------------------------------------------------
def reply_embed(reply: Reply, *, title: str | None = None) -> discord.Embed:
    """A tutor reply: the answer with its quotes, where they come from, and the counter-question in bold."""
    embed = discord.Embed(
        title=trim(one_line(title), TITLE_LIMIT) if title else None,
        description=trim(reply.answer, DESCRIPTION_LIMIT),
        colour=TUTOR_COLOUR,
    )
    if reply.quotes:
        embed.add_field(name="Quoted from", value=trim(quote_sources(reply.quotes), FIELD_VALUE_LIMIT), inline=False)
    if reply.question:  # none once the reader asked the tutor to stop asking
        embed.add_field(name="Your turn", value=f"**{trim(reply.question, FIELD_VALUE_LIMIT - 4)}**", inline=False)
    embed.set_footer(text=f"Socratic move: {reply.move.value}")
    return fit(embed)


def draft_embed(text: str, *, title: str | None = None) -> discord.Embed:
    """A reply still being written: the model's unchecked text so far (mentions defused), later replaced by the
    checked reply's embed."""
    shown = MENTION.sub(lambda m: m.group().replace("@", "@\u200b"), text)
    embed = discord.Embed(title=trim(one_line(title), TITLE_LIMIT) if title else None,
                          description=trim(shown, DESCRIPTION_LIMIT - 2) + " ▍", colour=TUTOR_COLOUR)
    embed.set_footer(text=WRITING)
    return fit(embed)


def summary_embed(title: str, text: str, *, footer: str | None = None) -> discord.Embed:
    """A discussion or conversation summed up (the text comes from `bot.discussion.summary`)."""
    embed = discord.Embed(title=trim(title, TITLE_LIMIT), description=trim(text, DESCRIPTION_LIMIT),
                          colour=TUTOR_COLOUR)
    if footer:
        embed.set_footer(text=trim(footer, FOOTER_LIMIT))
    return fit(embed)


def quote_sources(quotes: Iterable[Quote]) -> str:
    """One line per quoted place: essay title and section."""
    places = dict.fromkeys((q.title, q.section) for q in quotes)
    return "\n".join(f"• *{title}*" + (f" › {section}" if section and section != title else "")
                     for title, section in places)


def passage_embeds(passages: Iterable[Passage]) -> list[discord.Embed]:
    """The full passages behind a reply's quotes, one embed each."""
    embeds = []
    for passage in passages:
        embed = discord.Embed(title=trim(passage.essay_title, TITLE_LIMIT),
                              description=trim(passage.text, DESCRIPTION_LIMIT), colour=SOURCE_COLOUR)
        if passage.section and passage.section != passage.essay_title:
            embed.set_footer(text=trim(passage.section, FOOTER_LIMIT))
        embeds.append(fit(embed))
    return embeds


# ---- the library --------------------------------------------------------------------------------------------------
def essay_list_embeds(essays: Sequence[EssayRecord]) -> list[discord.Embed]:
    passages = sum(e.passages for e in essays)
    fields = [(essay.title, essay_summary(essay)) for essay in essays]
    return field_embeds(f"Essays ({len(essays)})", f"{len(essays)} essays, {passages} passages. "
                        "Use an essay's id or title wherever a command asks for an essay.", fields,
                        colour=SOURCE_COLOUR)


def essay_summary(essay: EssayRecord) -> str:
    parts = [f"`{essay.id}`"]
    if essay.author:
        parts.append(f"by {essay.author}")
    parts.append(f"{essay.passages} passages")
    with suppress(ValueError):  # an unreadable date is left out rather than shown wrong
        parts.append(f"added {discord.utils.format_dt(datetime.fromisoformat(essay.added_at), 'D')}")
    return " · ".join(parts)


def thesis_embeds(title: str, thesis: Claim, claims: Sequence[Claim]) -> list[discord.Embed]:
    """An essay's thesis, then its main claims grouped by section (a section's heading stands in when the
    section has no claim sentence of its own)."""
    sections: dict[str, list[Claim]] = {}
    for claim in claims:
        sections.setdefault(claim.section or "Opening", []).append(claim)
    fields = []
    for section, found in sections.items():
        sentences = [c for c in found if c.kind != "heading"] or found
        fields.append((section, "\n".join(f"• {c.text}" for c in sentences)))
    return field_embeds(title, f"**Thesis**\n> {one_line(thesis.text)}", fields, colour=SOURCE_COLOUR)
