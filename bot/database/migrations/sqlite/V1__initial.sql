-- The schema of the first release with versioned migrations. IF NOT EXISTS: a database made before them (by the
-- stores' CREATE TABLE IF NOT EXISTS, with columns added on open) is adopted as it is; see SQLiteDatabase.

-- conversations and their turns; who wrote which part of a user turn
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    essay_id TEXT,
    claim_id TEXT,
    closed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    other_id TEXT,
    focus_source TEXT
);
CREATE INDEX IF NOT EXISTS conversations_by_age ON conversations (updated_at);

CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'tutor')),
    text TEXT NOT NULL,
    stance TEXT,
    move TEXT,
    question TEXT,
    claim_id TEXT,
    quotes TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation_id, id);

CREATE TABLE IF NOT EXISTS turn_authors (
    turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS turn_authors_by_user ON turn_authors (user_id);
CREATE INDEX IF NOT EXISTS turn_authors_by_turn ON turn_authors (turn_id);

-- the Discord layer: threads opened for someone, messages not answered yet, servers with server commands
CREATE TABLE IF NOT EXISTS discord_threads (
    thread_id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS discord_threads_by_user ON discord_threads (user_id);

CREATE TABLE IF NOT EXISTS pending_messages (
    message_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    guild_id INTEGER,
    user_id INTEGER NOT NULL,
    inbox TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_by_user ON pending_messages (user_id);

CREATE TABLE IF NOT EXISTS discord_command_guilds (guild_id INTEGER PRIMARY KEY);

-- the weekly discussion
CREATE TABLE IF NOT EXISTS discussion_schedules (
    guild_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    weekday INTEGER NOT NULL,
    at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS discussion_posts (
    guild_id INTEGER NOT NULL,
    week_key TEXT NOT NULL,
    claim_id TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER,
    thread_id INTEGER,
    status TEXT NOT NULL CHECK (status IN ('posting', 'posted', 'closed', 'skipped')),
    created_at TEXT NOT NULL,
    last_activity_at TEXT,
    nudged_at TEXT,
    PRIMARY KEY (guild_id, week_key)
);
CREATE INDEX IF NOT EXISTS discussion_posts_by_thread ON discussion_posts (thread_id);
