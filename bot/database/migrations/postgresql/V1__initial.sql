-- The schema of the first release with versioned migrations: the SQLite schema in PostgreSQL's types (Discord ids
-- are 64-bit BIGINT, times TIMESTAMPTZ, flags BOOLEAN, JSON JSONB).

-- conversations and their turns; who wrote which part of a user turn
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    essay_id TEXT,
    claim_id TEXT,
    closed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    other_id TEXT,
    focus_source TEXT
);
CREATE INDEX conversations_by_age ON conversations (updated_at);

CREATE TABLE turns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'tutor')),
    text TEXT NOT NULL,
    stance TEXT,
    move TEXT,
    question TEXT,
    claim_id TEXT,
    quotes JSONB NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    meta JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX turns_by_conversation ON turns (conversation_id, id);

CREATE TABLE turn_authors (
    turn_id BIGINT NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX turn_authors_by_user ON turn_authors (user_id);
CREATE INDEX turn_authors_by_turn ON turn_authors (turn_id);

-- the Discord layer: threads opened for someone, messages not answered yet, servers with server commands
CREATE TABLE discord_threads (
    thread_id BIGINT PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX discord_threads_by_user ON discord_threads (user_id);

CREATE TABLE pending_messages (
    message_id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    guild_id BIGINT,
    user_id BIGINT NOT NULL,
    inbox TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX pending_by_user ON pending_messages (user_id);

CREATE TABLE discord_command_guilds (guild_id BIGINT PRIMARY KEY);

-- the weekly discussion
CREATE TABLE discussion_schedules (
    guild_id BIGINT PRIMARY KEY,
    channel_id BIGINT NOT NULL,
    weekday INTEGER NOT NULL,
    at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE discussion_posts (
    guild_id BIGINT NOT NULL,
    week_key TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    channel_id BIGINT NOT NULL,
    message_id BIGINT,
    thread_id BIGINT,
    status TEXT NOT NULL CHECK (status IN ('posting', 'posted', 'closed', 'skipped')),
    created_at TIMESTAMPTZ NOT NULL,
    last_activity_at TIMESTAMPTZ,
    nudged_at TIMESTAMPTZ,
    PRIMARY KEY (guild_id, week_key)
);
CREATE INDEX discussion_posts_by_thread ON discussion_posts (thread_id);
