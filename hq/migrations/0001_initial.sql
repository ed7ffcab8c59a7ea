-- Head office schema, version 1. Never edit a released migration: add a new file.
-- Ids are compared byte-wise (COLLATE "C"): faster indexes, and they are not words.

CREATE TABLE stores (
    store_id text COLLATE "C" PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE terminals (
    terminal_id text COLLATE "C" PRIMARY KEY,
    store_id text COLLATE "C" NOT NULL REFERENCES stores (store_id),
    -- Every entry of this terminal with seq <= acked_seq is stored here.
    acked_seq bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    joined_at timestamptz,
    last_push_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX terminals_store ON terminals (store_id);

-- Bearer tokens, stored as the sha256 of the token (tokens are 32 random bytes,
-- so a fast hash is enough); the token itself is shown once and never stored.
CREATE TABLE terminal_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    terminal_id text COLLATE "C" NOT NULL REFERENCES terminals (terminal_id),
    source text NOT NULL CHECK (source IN ('cli', 'join')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX terminal_tokens_terminal ON terminal_tokens (terminal_id);

-- One-time setup codes, hashed; single use and short-lived.
CREATE TABLE setup_codes (
    code_hash text COLLATE "C" PRIMARY KEY,
    terminal_id text COLLATE "C" NOT NULL REFERENCES terminals (terminal_id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX setup_codes_terminal ON setup_codes (terminal_id);

-- Chain-wide secrets (the coupon HMAC key is created by `pos-hq migrate`).
CREATE TABLE secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Rules and catalog: an opaque JSON object, one row per version.
CREATE TABLE settings (
    version bigint PRIMARY KEY,
    body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (version, body) VALUES (0, '{}');

-- The change feed. A change's position is (change_xid, change_id): the id of the
-- transaction that wrote it and a number from change_seq. Readers only expose rows
-- whose transaction is older than every transaction still running, so a row can
-- never appear behind a cursor already handed out (see hq/changes/service.py).
CREATE SEQUENCE change_seq;

-- Every terminal's journal, exactly as the terminals wrote it (timestamps and the
-- rules JSON stay text: other terminals re-check the hash chain over them).
CREATE TABLE entries (
    entry_id text COLLATE "C" PRIMARY KEY,
    wallet_id text COLLATE "C" NOT NULL,
    member_id text COLLATE "C",
    kind text NOT NULL
        CHECK (kind IN ('earn', 'redeem', 'reverse', 'adjust', 'expire', 'bonus', 'transfer')),
    points bigint NOT NULL,
    balance_after bigint NOT NULL,
    amount_minor bigint,
    currency text,
    ref text,
    terminal_id text COLLATE "C" NOT NULL,
    store_id text COLLATE "C" NOT NULL,
    cashier_id text,
    approver_id text,
    reason text,
    reverses text,
    rules text,
    created_at text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    prev_hash text NOT NULL,
    hash text NOT NULL,
    change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    change_id bigint NOT NULL DEFAULT nextval('change_seq'),
    UNIQUE (terminal_id, seq)
);
CREATE INDEX entries_changes ON entries (change_xid, change_id);
-- Balances are sums over a wallet's entries (no running total to contend on).
-- A hash index: wallets are only ever looked up by equality, and inserting at
-- random places in a btree of 36-character keys costs more than hashing.
CREATE INDEX entries_wallet ON entries USING hash (wallet_id);

CREATE FUNCTION refuse_journal_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal entries are append-only: record a reversal or an adjustment';
END;
$$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION refuse_journal_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_journal_change();

CREATE TABLE members (
    member_id text COLLATE "C" PRIMARY KEY,
    phone text COLLATE "C",
    name text,
    wallet_id text COLLATE "C" NOT NULL,
    consent_at text,
    enrolled_at text NOT NULL,
    terminal_id text COLLATE "C",
    -- NULL for a canonical member; else the canonical member it was merged into.
    merged_into text COLLATE "C" REFERENCES members (member_id) DEFERRABLE INITIALLY DEFERRED,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- One canonical member per phone.
CREATE UNIQUE INDEX members_phone ON members (phone) WHERE phone IS NOT NULL AND merged_into IS NULL;
CREATE INDEX members_wallet ON members (wallet_id);
CREATE INDEX members_merged_into ON members (merged_into) WHERE merged_into IS NOT NULL;

-- The same phone enrolled at two offline terminals: the later member (and wallet)
-- counts as the earliest-enrolled one. Always points at the final canonical member,
-- so a canonical wallet's balance is the sum over its own entries and those of
-- every merged_wallet_id that points at it.
CREATE TABLE member_merges (
    merged_member_id text COLLATE "C" PRIMARY KEY REFERENCES members (member_id),
    merged_wallet_id text COLLATE "C" NOT NULL,
    member_id text COLLATE "C" NOT NULL REFERENCES members (member_id),
    wallet_id text COLLATE "C" NOT NULL,
    merged_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_merges_canonical ON member_merges (member_id);
CREATE INDEX member_merges_canonical_wallet ON member_merges (wallet_id);
CREATE INDEX member_merges_wallet ON member_merges (merged_wallet_id);

CREATE TABLE coupons (
    code text COLLATE "C" PRIMARY KEY,
    entry_id text COLLATE "C",
    reward_id text,
    member_id text COLLATE "C",
    status text NOT NULL CHECK (status IN ('issued', 'used', 'void')),
    issued_at text,
    used_at text,
    used_terminal_id text COLLATE "C",
    voided_at text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Conflicts are data: recorded, reported, never a crash. `key` makes recording
-- the same finding twice a no-op.
CREATE TABLE conflicts (
    conflict_id bigserial PRIMARY KEY,
    kind text NOT NULL
        CHECK (kind IN ('entry_body_mismatch', 'coupon_double_use', 'negative_balance', 'phone_merge')),
    key text COLLATE "C" NOT NULL,
    terminal_id text COLLATE "C",
    details jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, key)
);
CREATE INDEX conflicts_at ON conflicts (at);

-- Changes other than entries (which are their own feed rows): members, merges,
-- coupon status, settings versions. `body` is the wire form of the change.
CREATE TABLE changes (
    change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    change_id bigint NOT NULL DEFAULT nextval('change_seq'),
    kind text NOT NULL CHECK (kind IN ('member', 'merge', 'coupon', 'settings')),
    origin_terminal_id text COLLATE "C",
    body jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (change_xid, change_id)
);
