-- Head office schema, version 2: entries join the change feed a run at a time.
--
-- Version 1 gave every entry its own feed position (two columns, a sequence
-- number and an index per entry). A push stores a run of one terminal's
-- consecutive entries in one transaction, so one feed row per run says the
-- same: the run's entries are (terminal_id, seq BETWEEN first_seq AND last_seq),
-- read through the (terminal_id, seq) index. A cursor may point inside a run
-- ("<xid>.<number>.<seq>", see hq/changes/service.py).
CREATE TABLE entry_runs (
    change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    change_id bigint NOT NULL DEFAULT nextval('change_seq'),
    terminal_id text COLLATE "C" NOT NULL,
    first_seq bigint NOT NULL CHECK (first_seq > 0),
    last_seq bigint NOT NULL CHECK (last_seq >= first_seq),
    PRIMARY KEY (change_xid, change_id)
);

-- Every entry stored so far keeps its feed position, as a run of one: cursors
-- terminals already hold stay valid.
INSERT INTO entry_runs (change_xid, change_id, terminal_id, first_seq, last_seq)
    SELECT change_xid, change_id, terminal_id, seq, seq FROM entries;

ALTER TABLE entries DROP COLUMN change_xid, DROP COLUMN change_id;

-- The entries that take points away, by wallet (a few percent of entries): a push
-- reads what other terminals took from each wallet it spent from, and sums a
-- wallet's whole history only if its balance could be below zero (see
-- hq/members/service.py, could_be_negative).
CREATE INDEX entries_spending ON entries USING hash (wallet_id) WHERE points < 0;

-- A push whose entry does not link to its neighbours in the terminal's hash chain
-- is refused and recorded (hq/entries/chain.py).
ALTER TABLE conflicts DROP CONSTRAINT conflicts_kind_check;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_kind_check CHECK (kind IN (
    'entry_body_mismatch', 'chain_break', 'coupon_double_use', 'negative_balance',
    'phone_merge'));
