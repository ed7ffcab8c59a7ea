-- Head office schema, version 3: a terminal acts only for what it owns (issue 9).

-- The terminal that issued a coupon (the one that wrote its redemption entry):
-- only its reversal may void the coupon (hq/coupons/service.py).
ALTER TABLE coupons ADD COLUMN issued_terminal_id text COLLATE "C";
UPDATE coupons c SET issued_terminal_id = e.terminal_id
    FROM entries e WHERE e.entry_id = c.entry_id;

-- Every conflict says in words what happened (shown to head office and to the till);
-- a push refused because the terminal acted for something it does not own is one.
ALTER TABLE conflicts ADD COLUMN message text;
ALTER TABLE conflicts DROP CONSTRAINT conflicts_kind_check;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_kind_check CHECK (kind IN (
    'entry_body_mismatch', 'chain_break', 'coupon_double_use', 'negative_balance',
    'phone_merge', 'forbidden_push'));

-- How far each terminal has applied the change feed: the cursor of its latest pull
-- (a terminal sends the cursor it stored after applying a page). Member snapshots
-- (phones and names) that every terminal still in service has pulled past are
-- deleted (hq/changes/service.py, prune).
CREATE TABLE pull_cursors (
    terminal_id text COLLATE "C" PRIMARY KEY REFERENCES terminals (terminal_id),
    change_xid xid8 NOT NULL,
    change_id bigint NOT NULL,
    pulled_at timestamptz NOT NULL DEFAULT now()
);
-- The prune walks only the member snapshots still kept.
CREATE INDEX changes_members ON changes (change_xid, change_id) WHERE kind = 'member';
