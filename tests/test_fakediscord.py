"""Self-tests of the fake Discord server, driven by the real discord.py client.

The bot here is a tiny stand-in defined for these tests only; it exercises
the protocol paths a real bot uses (gateway, slash commands, views, threads,
DMs, attachments) against ``tests/fakediscord``.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
import zlib
from collections.abc import AsyncIterator, Callable

import aiohttp
import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import FakeDiscord, FakeDiscordTimeout

pytestmark = pytest.mark.asyncio

HEARTBEAT_INTERVAL = 0.2
CHANNEL_NAMES = ["alerts", "announcements", "general", "random"]


# -- the tiny bot under test ------------------------------------------------------------------------


class PanelView(discord.ui.View):
    """A persistent view: registered in setup_hook, so it works after a restart."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Ping", custom_id="panel:ping")
    async def ping(self, interaction: discord.Interaction[TinyBot], button: discord.ui.Button[PanelView]) -> None:
        await interaction.response.send_message(f"pong from bot #{interaction.client.generation}", ephemeral=True)


class ReportView(discord.ui.View):
    @discord.ui.button(label="Acknowledge", custom_id="report:ack", style=discord.ButtonStyle.primary)
    async def ack(self, interaction: discord.Interaction, button: discord.ui.Button[ReportView]) -> None:
        button.disabled = True
        await interaction.response.edit_message(content=f"acknowledged by {interaction.user.name}", view=self)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Your feedback", custom_id="feedback:text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content=f"thanks: {self.text.value}")


class ColourView(discord.ui.View):
    @discord.ui.select(custom_id="colour", options=[discord.SelectOption(label=c) for c in ("red", "green", "blue")])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[ColourView]) -> None:
        await interaction.response.send_message(f"picked {', '.join(select.values)}")


settings = app_commands.Group(name="settings", description="Bot settings")
notify = app_commands.Group(name="notify", description="Notification settings", parent=settings)


@notify.command(name="set", description="Choose the notification channel")
async def notify_set(
    interaction: discord.Interaction, channel_name: str, level: app_commands.Range[int, 1, 5] = 1
) -> None:
    if not interaction.permissions.manage_guild:
        await interaction.response.send_message("you need Manage Server", ephemeral=True)
        return
    await interaction.response.send_message(f"notify {channel_name} at level {level}")


@notify_set.autocomplete("channel_name")
async def channel_name_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=n, value=n) for n in CHANNEL_NAMES if n.startswith(current)]


@app_commands.command(name="report", description="A slow report")
async def report(interaction: discord.Interaction, topic: str) -> None:
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.05)
    embed = discord.Embed(title=f"Report: {topic}", description="all systems nominal")
    await interaction.followup.send(embed=embed, view=ReportView())


@app_commands.command(name="feedback", description="Send feedback")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


@app_commands.command(name="slow", description="Answers too late")
async def slow(interaction: discord.Interaction) -> None:
    await asyncio.sleep(0.5)
    await interaction.response.send_message("too late")


class TinyCommands(commands.Cog):
    @commands.command()
    async def ping(self, ctx: commands.Context[TinyBot]) -> None:
        await ctx.message.add_reaction("\N{WHITE HEAVY CHECK MARK}")
        await ctx.reply("pong", mention_author=False)

    @commands.command()
    async def colours(self, ctx: commands.Context[TinyBot]) -> None:
        await ctx.send("pick a colour", view=ColourView())

    @commands.command()
    async def temp(self, ctx: commands.Context[TinyBot]) -> None:
        message = await ctx.send("temporary")
        await message.edit(content="edited")
        await message.delete()

    @commands.command()
    async def panel(self, ctx: commands.Context[TinyBot]) -> None:
        await ctx.send("control panel", view=PanelView())

    @commands.command()
    async def thread(self, ctx: commands.Context[TinyBot]) -> None:
        thread = await ctx.message.create_thread(name="discussion")
        await thread.send("thread started")
        await thread.edit(archived=True, locked=True)

    @commands.command()
    async def dm(self, ctx: commands.Context[TinyBot]) -> None:
        await ctx.author.send("hello in private")

    @commands.command()
    async def echo(self, ctx: commands.Context[TinyBot]) -> None:
        attachment = ctx.message.attachments[0]
        data = await attachment.read()
        await ctx.send(
            f"{len(data)} bytes", file=discord.File(io.BytesIO(data[::-1]), f"reversed-{attachment.filename}")
        )

    @commands.command()
    async def block(self, ctx: commands.Context[TinyBot]) -> None:
        time.sleep(1.0)  # deliberately stalls the event loop
        await ctx.send("unblocked")

    @commands.command()
    async def toolong(self, ctx: commands.Context[TinyBot]) -> None:
        try:
            await ctx.send("x" * 2001)
        except discord.HTTPException as exc:
            await ctx.send(f"rejected with code {exc.code}")


class TinyBot(commands.Bot):
    def __init__(self, *, generation: int = 1, intents: discord.Intents | None = None) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = True
        super().__init__(command_prefix="!", intents=intents, guild_ready_timeout=0.05)
        self.generation = generation

    async def setup_hook(self) -> None:
        self.add_view(PanelView())
        await self.add_cog(TinyCommands())
        for command in (settings, report, feedback, slow):
            self.tree.add_command(command)
        await self.tree.sync()


# -- fixtures and helpers ---------------------------------------------------------------------------


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=HEARTBEAT_INTERVAL) as server:
        yield server


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[TinyBot]:
    async with fake.running(TinyBot()) as client:
        yield client


def user_message_id(message: dict) -> int:
    return int(message["id"])


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds, e.g. for the bot's cache to catch up with a dispatch."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


# -- connection ------------------------------------------------------------------------------------------


async def test_bot_connects_and_caches_the_world(fake: FakeDiscord, bot: TinyBot) -> None:
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None and bot.user is not None
    assert bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    assert [c.name for c in guild.text_channels] == ["general"]
    assert [t.name for t in guild.threads] == ["existing-thread"]
    assert guild.get_role(fake.admin_role.id) is not None
    session = fake.sessions[0]
    assert session.intents == bot.intents.value
    assert fake.gateway.connections[0].compression == "zlib-stream"
    fake.assert_clean()


async def test_members_are_chunked_when_the_members_intent_is_on(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    intents.members = True
    async with fake.running(TinyBot(intents=intents)) as client:
        guild = client.get_guild(fake.guild.id)
        assert guild is not None and guild.chunked
        admin = guild.get_member(fake.admin.id)
        assert admin is not None and admin.guild_permissions.manage_guild
        member = guild.get_member(fake.member.id)
        assert member is not None and not member.guild_permissions.manage_guild


async def test_without_members_intent_only_the_bot_member_is_cached(fake: FakeDiscord, bot: TinyBot) -> None:
    guild = bot.get_guild(fake.guild.id)
    assert guild is not None
    assert [m.id for m in guild.members] == [fake.bot_user.id]


async def test_wrong_token_fails_login(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.start("not-the-token")
    await client.close()


# -- messages ---------------------------------------------------------------------------------------------


async def test_bot_replies_to_a_user_message(fake: FakeDiscord, bot: TinyBot) -> None:
    sent = await fake.send_user_message(fake.channel, fake.member, "!ping")
    reply = await fake.wait_for_message(lambda m: m.content == "pong", timeout=5)
    assert reply.source == "channel"
    assert int(reply.payload["message_reference"]["message_id"]) == user_message_id(sent)
    assert reply.message is not None and reply.message["referenced_message"]["content"] == "!ping"
    assert reply.allowed_mentions is not None and reply.allowed_mentions["replied_user"] is False
    assert reply.message is not None and reply.message["type"] == 19
    reaction = fake.state.messages[user_message_id(sent)]["reactions"][0]
    assert (reaction["emoji"]["name"], reaction["me"]) == ("\N{WHITE HEAVY CHECK MARK}", True)
    fake.assert_clean()


async def test_bot_edits_and_deletes_its_message(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.send_user_message(fake.channel, fake.member, "!temp")
    deleted = await fake.sent.wait(lambda m: m.action == "delete", timeout=5)
    assert [(m.action, m.content) for m in fake.sent] == [("create", "temporary"), ("edit", "edited"), ("delete", "")]
    assert deleted.message_id not in fake.state.messages
    fake.assert_clean()


async def test_message_content_needs_the_intent_unless_the_bot_is_mentioned(fake: FakeDiscord) -> None:
    seen: list[str] = []

    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)

    client = TinyBot(intents=discord.Intents.default())
    client.add_listener(on_message)
    async with fake.running(client):
        await fake.send_user_message(fake.channel, fake.member, "secret words")
        await fake.send_user_message(fake.channel, fake.member, f"{fake.bot_user.mention} hello")
        await until(lambda: len(seen) == 2)
    assert seen == ["", f"{fake.bot_user.mention} hello"]


async def test_too_long_messages_are_rejected_like_discord(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.send_user_message(fake.channel, fake.member, "!toolong")
    answer = await fake.wait_for_message(lambda m: m.content.startswith("rejected"))
    assert answer.content == "rejected with code 50035"
    assert [e.code for e in fake.errors] == [50035]


async def test_attachments_are_served_and_uploads_recorded(fake: FakeDiscord, bot: TinyBot) -> None:
    attachment = fake.add_attachment("notes.txt", b"hello attachment")
    await fake.send_user_message(fake.channel, fake.member, "!echo", attachments=(attachment,))
    answer = await fake.wait_for_message(lambda m: m.content == "16 bytes")
    assert [(f.filename, f.data) for f in answer.files] == [("reversed-notes.txt", b"tnemhcatta olleh")]
    assert answer.message is not None
    uploaded = answer.message["attachments"][0]
    assert uploaded["filename"] == "reversed-notes.txt"
    async with aiohttp.ClientSession() as session, session.get(uploaded["url"]) as response:
        assert await response.read() == b"tnemhcatta olleh"
    fake.assert_clean()


async def test_thread_created_from_a_message_then_archived(fake: FakeDiscord, bot: TinyBot) -> None:
    command = await fake.send_user_message(fake.channel, fake.member, "!thread")
    await fake.wait_for_message(lambda m: m.content == "thread started")
    await fake.wait_for_request(lambda r: r.method == "PATCH" and r.json == {"archived": True, "locked": True})
    thread = fake.state.channels[user_message_id(command)]
    assert (thread.name, thread.parent_id, thread.archived, thread.locked) == (
        "discussion",
        fake.channel.id,
        True,
        True,
    )
    cached = bot.get_channel(thread.id)
    assert isinstance(cached, discord.Thread)
    await until(lambda: cached.archived and cached.locked)  # THREAD_UPDATE reached the bot's cache
    fake.assert_clean()


async def test_user_created_thread_is_dispatched(fake: FakeDiscord, bot: TinyBot) -> None:
    created: asyncio.Future[discord.Thread] = asyncio.get_running_loop().create_future()

    async def on_thread_create(thread: discord.Thread) -> None:
        created.set_result(thread)

    bot.add_listener(on_thread_create)
    thread = await fake.start_thread(fake.channel, "user-thread", owner=fake.member)
    seen = await asyncio.wait_for(created, 5)
    assert (seen.id, seen.name, seen.owner_id) == (thread.id, "user-thread", fake.member.id)


async def test_bot_opens_a_dm(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.send_user_message(fake.channel, fake.member, "!dm")
    message = await fake.wait_for_message(lambda m: m.content == "hello in private")
    channel = fake.state.channels[message.channel_id]
    assert channel is fake.open_dm(fake.member)
    await fake.send_user_message(channel, fake.member, "!ping")
    reply = await fake.wait_for_message(lambda m: m.content == "pong")
    assert reply.channel_id == channel.id and reply.message is not None and "guild_id" not in reply.message
    fake.assert_clean()


# -- application commands and components -------------------------------------------------------------------


async def test_sync_registers_the_group_with_an_autocomplete_option(fake: FakeDiscord, bot: TinyBot) -> None:
    registered = {c["name"]: c for c in fake.commands.list()}
    assert sorted(registered) == ["feedback", "report", "settings", "slow"]
    (group,) = registered["settings"]["options"]
    (subcommand,) = group["options"]
    assert (group["type"], group["name"], subcommand["type"], subcommand["name"]) == (2, "notify", 1, "set")
    options = {o["name"]: o for o in subcommand["options"]}
    assert options["channel_name"]["autocomplete"] is True
    assert (options["level"]["min_value"], options["level"]["max_value"]) == (1, 5)


async def test_autocomplete_returns_the_bots_choices(fake: FakeDiscord, bot: TinyBot) -> None:
    choices = await fake.autocomplete(
        "settings notify set", {"channel_name": "a"}, focused="channel_name", user=fake.admin
    )
    assert [c["value"] for c in choices] == ["alerts", "announcements"]


async def test_slash_command_uses_member_permissions(fake: FakeDiscord, bot: TinyBot) -> None:
    admin_call = await fake.invoke_slash("settings notify set", {"channel_name": "alerts", "level": 3}, user=fake.admin)
    member_call = await fake.invoke_slash("settings notify set", {"channel_name": "alerts"}, user=fake.member)
    admin_answer = await fake.wait_for_interaction_response(admin_call)
    member_answer = await fake.wait_for_interaction_response(member_call)
    assert admin_answer.type == 4 and admin_answer.data is not None
    assert admin_answer.data["content"] == "notify alerts at level 3"
    assert member_answer.data is not None and member_answer.data["flags"] == 64
    public = await fake.wait_for_message(lambda m: m.interaction_id == admin_call.id)
    assert public.message is not None and public.message["interaction_metadata"]["id"] == str(admin_call.id)
    fake.assert_clean()


async def test_invoking_undeclared_options_fails_in_the_test(fake: FakeDiscord, bot: TinyBot) -> None:
    with pytest.raises(ValueError, match="unknown options"):
        await fake.invoke_slash("report", {"topic": "x", "extra": 1}, user=fake.member)
    with pytest.raises(ValueError, match="missing required"):
        await fake.invoke_slash("report", {}, user=fake.member)
    with pytest.raises(LookupError):
        await fake.invoke_slash("nonexistent", user=fake.member)


async def test_defer_then_followup_with_embed_and_button(fake: FakeDiscord, bot: TinyBot) -> None:
    call = await fake.invoke_slash("report", {"topic": "uptime"}, user=fake.member)
    deferral = await fake.wait_for_interaction_response(call)
    assert deferral.type == 5 and deferral.elapsed < 3.0
    followup = await fake.wait_for_message(lambda m: m.source == "followup")
    assert followup.message_id == call.original_message_id  # the first followup replaces the loading message
    assert followup.flags & 128 == 0
    assert followup.embeds[0]["title"] == "Report: uptime"
    button = followup.components[0]["components"][0]
    assert (button["custom_id"], button["label"]) == ("report:ack", "Acknowledge")

    click = await fake.click_button(followup.message_id, "report:ack", user=fake.admin)
    update = await fake.wait_for_interaction_response(click)
    assert update.type == 7
    edited = await fake.wait_for_message(lambda m: m.source == "interaction_response" and m.action == "edit")
    assert edited.content == "acknowledged by admin"
    assert edited.components[0]["components"][0]["disabled"] is True
    with pytest.raises(ValueError, match="disabled"):
        await fake.click_button(followup.message_id, "report:ack", user=fake.admin)
    fake.assert_clean()


async def test_modal_round_trip(fake: FakeDiscord, bot: TinyBot) -> None:
    call = await fake.invoke_slash("feedback", user=fake.member)
    opened = await fake.wait_for_interaction_response(call)
    assert opened.type == 9 and opened.data is not None and opened.data["title"] == "Feedback"
    submit = await fake.submit_modal(call, {"feedback:text": "great bot"})
    assert (await fake.wait_for_interaction_response(submit)).type == 5
    edit = await fake.wait_for_message(lambda m: m.source == "webhook_edit")
    assert (edit.message_id, edit.content, edit.flags & 128) == (submit.original_message_id, "thanks: great bot", 0)
    fake.assert_clean()


async def test_string_select(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.send_user_message(fake.channel, fake.member, "!colours")
    menu = await fake.wait_for_message(lambda m: m.content == "pick a colour")
    with pytest.raises(ValueError, match="not all options"):
        await fake.select_options(menu.message_id, "colour", ["purple"], user=fake.member)
    pick = await fake.select_options(menu.message_id, "colour", ["green"], user=fake.member)
    answer = await fake.wait_for_interaction_response(pick)
    assert answer.data is not None and answer.data["content"] == "picked green"


async def test_guild_commands_shadow_global_ones(fake: FakeDiscord, bot: TinyBot) -> None:
    guild = discord.Object(fake.guild.id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    guild_report = next(c for c in fake.commands.list(fake.guild.id) if c["name"] == "report")
    call = await fake.invoke_slash("report", {"topic": "guild"}, user=fake.member)
    assert call.payload["data"]["id"] == guild_report["id"]
    assert call.payload["data"]["guild_id"] == str(fake.guild.id)
    followup = await fake.wait_for_message(lambda m: m.source == "followup")
    assert followup.embeds[0]["title"] == "Report: guild"


async def test_answering_after_the_deadline_is_rejected() -> None:
    async with FakeDiscord(interaction_deadline=0.2) as fake, fake.running(TinyBot()):
        call = await fake.invoke_slash("slow", user=fake.member)
        with pytest.raises(FakeDiscordTimeout):
            await fake.wait_for_interaction_response(call, timeout=1.0)
        assert [e.code for e in fake.errors] == [10062]


async def test_persistent_view_survives_a_restart(fake: FakeDiscord) -> None:
    async with fake.running(TinyBot(generation=1)):
        await fake.send_user_message(fake.channel, fake.member, "!panel")
        panel = await fake.wait_for_message(lambda m: m.content == "control panel")
    mark = fake.checkpoint()
    async with fake.running(TinyBot(generation=2)):
        await fake.wait_for_session(after=mark)
        click = await fake.click_button(panel.message_id, "panel:ping", user=fake.member)
        answer = await fake.wait_for_interaction_response(click)
    assert answer.data is not None and answer.data["content"] == "pong from bot #2"
    # discord.py's close() ends up sending close code 4000, so Discord (and the fake) keep
    # the old session resumable; the restarted bot IDENTIFYs a new one.
    assert len(fake.sessions) == 2 and fake.sessions[0].connection is None
    fake.assert_clean()


# -- gateway behaviour --------------------------------------------------------------------------------------


async def test_heartbeats_arrive_at_the_configured_interval(fake: FakeDiscord, bot: TinyBot) -> None:
    await asyncio.sleep(6 * HEARTBEAT_INTERVAL)
    beats = fake.heartbeat_times[fake.gateway.connections[-1].id]
    assert len(beats) >= 5
    assert HEARTBEAT_INTERVAL * 0.5 < fake.max_heartbeat_gap() < HEARTBEAT_INTERVAL * 3


async def test_heartbeat_gaps_expose_an_event_loop_stall(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.send_user_message(fake.channel, fake.member, "!block")
    await fake.wait_for_message(lambda m: m.content == "unblocked")
    await asyncio.sleep(2 * HEARTBEAT_INTERVAL)
    assert fake.max_heartbeat_gap() >= 0.9


async def test_resume_replays_events_missed_while_disconnected(fake: FakeDiscord, bot: TinyBot) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    await fake.drop_gateway()
    await fake.send_user_message(fake.channel, fake.member, "!ping")  # sent while nobody is connected
    await asyncio.wait_for(resumed.wait(), 10)
    await fake.wait_for_message(lambda m: m.content == "pong")
    assert len(fake.sessions) == 1 and len(fake.gateway.connections) == 2


async def test_reconnect_opcode_makes_the_client_resume(fake: FakeDiscord, bot: TinyBot) -> None:
    await fake.reconnect_gateway()
    await until(lambda: len(fake.gateway.open_connections) == 1 and len(fake.gateway.connections) == 2)
    await fake.send_user_message(fake.channel, fake.member, "!ping")
    await fake.wait_for_message(lambda m: m.content == "pong")
    assert len(fake.sessions) == 1


async def test_unknown_routes_are_recorded(fake: FakeDiscord, bot: TinyBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.fetch_guild(fake.guild.id)
    assert [(r.method, r.path) for r in fake.unhandled] == [("GET", f"/api/v10/guilds/{fake.guild.id}")]
    with pytest.raises(AssertionError, match="unhandled"):
        fake.assert_clean()


async def test_raw_gateway_without_compression_speaks_plain_json(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway.url + "?v=10&encoding=json") as ws:
        hello = await ws.receive_json(timeout=5)
        assert hello == {"op": 10, "d": {"heartbeat_interval": int(HEARTBEAT_INTERVAL * 1000)}}
        await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}}})
        ready = await ws.receive_json(timeout=5)
        assert (ready["t"], ready["s"], ready["d"]["resume_gateway_url"]) == ("READY", 1, fake.gateway.url)
        guild_create = await ws.receive_json(timeout=5)
        assert (guild_create["t"], guild_create["d"]["id"]) == ("GUILD_CREATE", str(fake.guild.id))
        await ws.send_json({"op": 1, "d": 2})
        assert await ws.receive_json(timeout=5) == {"op": 11}


async def test_raw_gateway_zlib_stream_frames_decompress(fake: FakeDiscord) -> None:
    url = fake.gateway.url + "?v=10&encoding=json&compress=zlib-stream"
    inflater = zlib.decompressobj()
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        frame = await ws.receive_bytes(timeout=5)
        assert frame.endswith(b"\x00\x00\xff\xff")
        assert json.loads(inflater.decompress(frame))["op"] == 10
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        closing = await ws.receive(timeout=5)
        assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4004


# -- shards ----------------------------------------------------------------------------------------------


class ShardRecorder(discord.AutoShardedClient):
    """Records which messages reached this client (its shards' events only)."""

    def __init__(self, shard_ids: list[int] | None, shard_count: int | None) -> None:
        extra = {"shard_ids": shard_ids, "shard_count": shard_count} if shard_count else {}
        intents = discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=True)
        super().__init__(intents=intents, guild_ready_timeout=0.05, **extra)
        self.seen: list[str] = []

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message.content)


async def test_shards_split_the_guilds_and_their_events() -> None:
    async with FakeDiscord(heartbeat_interval=HEARTBEAT_INTERVAL, default_world=False) as fake:
        owner = fake.state.add_user("owner")
        guilds = [fake.state.add_guild(f"on shard {n}", owner=owner, shard=(n, 2)) for n in (0, 1)]
        assert [(g.id >> 22) % 2 for g in guilds] == [0, 1]
        channels = [fake.state.add_text_channel(g, "general") for g in guilds]
        dm = fake.open_dm(owner)
        first, second = ShardRecorder([0], 2), ShardRecorder([1], 2)
        async with fake.running(first), fake.running(second):
            assert [s.shard for s in fake.sessions] == [[0, 2], [1, 2]]
            assert [g.id for g in first.guilds] == [guilds[0].id] and [g.id for g in second.guilds] == [guilds[1].id]
            for channel, text in ((channels[0], "to shard 0"), (channels[1], "to shard 1"), (dm, "a DM")):
                await fake.send_user_message(channel, owner, text)
            deadline = time.monotonic() + 10
            while len(first.seen) + len(second.seen) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert first.seen == ["to shard 0", "a DM"] and second.seen == ["to shard 1"]  # DMs: shard 0

        fake.gateway.recommended_shards = 2  # a client without a shard count runs what Discord recommends
        everything = ShardRecorder(None, None)
        async with fake.running(everything):
            assert everything.shard_count == 2 and {g.id for g in everything.guilds} == {g.id for g in guilds}
        fake.assert_clean()
