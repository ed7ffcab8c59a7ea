-- Head office schema, version 5: the back office in the browser (issue 13).

-- People who log in to the back office. A manager sees only the stores in
-- user_stores; an auditor reads everything and changes nothing. Passwords are
-- scrypt hashes ("scrypt$n$r$p$salt$hash", hq/backoffice/passwords.py).
CREATE TABLE users (
    user_id bigserial PRIMARY KEY,
    email text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'manager', 'marketing', 'auditor')),
    -- The language the pages are shown in, switched by the user and remembered.
    language text NOT NULL DEFAULT 'th' CHECK (language IN ('th', 'en')),
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz
);
-- One account per address, whatever its letter case.
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE user_stores (
    user_id bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    store_id text COLLATE "C" NOT NULL REFERENCES stores (store_id),
    PRIMARY KEY (user_id, store_id)
);

-- Logged-in sessions: the cookie holds a random token, the table its sha256 (a
-- stolen table opens no session). Each session has its own CSRF token, sent
-- back with every form. A session unused for the idle timeout is over.
CREATE TABLE user_sessions (
    token_hash text COLLATE "C" PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    address text
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

-- Wrong passwords, counted per account and per client address over a window
-- (in the database, so every server process counts the same attempts).
CREATE TABLE login_failures (
    at timestamptz NOT NULL,
    email text NOT NULL,
    address text NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_address ON login_failures (address, at);

-- Every change made in the back office (and users added with pos-hq user add).
CREATE TABLE audit_log (
    audit_id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    user_id bigint REFERENCES users (user_id),
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    before jsonb,
    after jsonb,
    address text
);
CREATE INDEX audit_log_at ON audit_log (at);

-- The chain's time zone: the dashboard's days are its local days.
CREATE TABLE backoffice_clock (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    timezone text NOT NULL
);
INSERT INTO backoffice_clock (timezone) VALUES ('Asia/Bangkok');

-- The local day of a UTC hour ("2026-01-15T03", as the tills write time, cut to
-- the hour: callers convert each distinct hour once). A time PostgreSQL cannot
-- read (the wire pattern allows month 13) counts on the day it arrived, never
-- failing the push that carries it.
CREATE FUNCTION backoffice_day(utc_hour text) RETURNS date LANGUAGE plpgsql STABLE AS $$
DECLARE
    zone text := (SELECT timezone FROM backoffice_clock);
BEGIN
    RETURN ((utc_hour || ':00:00Z')::timestamptz AT TIME ZONE zone)::date;
EXCEPTION WHEN others THEN
    RETURN (now() AT TIME ZONE zone)::date;
END;
$$;

-- The dashboard's figures per store, local day and terminal, kept up to date
-- inside each push (hq/backoffice/totals.py) so that no page view sums the
-- journal. Per terminal, because a terminal's pushes already wait for each
-- other (its row in terminals is locked): two tills of one store never wait
-- for one row here. net is every entry's points: the sum over all days is the
-- points outstanding (liability) booked at the store.
CREATE TABLE daily_totals (
    store_id text COLLATE "C" NOT NULL,
    day date NOT NULL,
    terminal_id text COLLATE "C" NOT NULL,
    new_members bigint NOT NULL DEFAULT 0,
    sales bigint NOT NULL DEFAULT 0,
    -- numeric, not bigint: each entry fits in int64, a day's sum need not (a
    -- hostile terminal's two entries of 2**62 points must not fail every push).
    sales_minor numeric NOT NULL DEFAULT 0,
    issued numeric NOT NULL DEFAULT 0,
    redeemed numeric NOT NULL DEFAULT 0,
    expired numeric NOT NULL DEFAULT 0,
    net numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day, terminal_id)
);

-- Each wallet's last visit (a sale or a redemption) per store, and chain-wide as
-- store '*': active members over a period are a range count on the index.
CREATE TABLE wallet_activity (
    store_id text COLLATE "C" NOT NULL,
    wallet_id text COLLATE "C" NOT NULL,
    last_day date NOT NULL,
    PRIMARY KEY (store_id, wallet_id)
);
CREATE INDEX wallet_activity_day ON wallet_activity (store_id, last_day);

-- New members per store and day: counted by a statement trigger, whichever code
-- path inserts them (a push, an import); the second enrolment of a phone, made
-- one with the first at once, is not a new member.
CREATE FUNCTION backoffice_count_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO daily_totals (store_id, day, terminal_id, new_members)
    SELECT t.store_id, backoffice_day(n.hour), n.terminal_id, sum(n.members)
    FROM (SELECT terminal_id, left(enrolled_at, 13) AS hour, count(*) AS members
          FROM inserted_members WHERE merged_into IS NULL GROUP BY 1, 2) n
    JOIN terminals t ON t.terminal_id = n.terminal_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (store_id, day, terminal_id)
        DO UPDATE SET new_members = daily_totals.new_members + excluded.new_members;
    RETURN NULL;
END;
$$;
CREATE TRIGGER members_daily_totals AFTER INSERT ON members
    REFERENCING NEW TABLE AS inserted_members
    FOR EACH STATEMENT EXECUTE FUNCTION backoffice_count_members();

-- What head office held before this version, counted once.
INSERT INTO daily_totals (store_id, day, terminal_id, new_members)
SELECT t.store_id, backoffice_day(left(m.enrolled_at, 13)), m.terminal_id, count(*)
FROM members m JOIN terminals t ON t.terminal_id = m.terminal_id
WHERE m.merged_into IS NULL
GROUP BY 1, 2, 3;

INSERT INTO daily_totals (store_id, day, terminal_id, sales, sales_minor, issued, redeemed,
                          expired, net)
SELECT store_id, backoffice_day(hour), terminal_id, sum(sales), sum(sales_minor), sum(issued), sum(redeemed),
       sum(expired), sum(net)
FROM (SELECT store_id, terminal_id, left(created_at, 13) AS hour,
             count(*) FILTER (WHERE kind = 'earn') AS sales,
             coalesce(sum(amount_minor) FILTER (WHERE kind = 'earn'), 0) AS sales_minor,
             coalesce(sum(points) FILTER (WHERE kind IN ('earn', 'bonus', 'adjust')
                                           AND points > 0), 0) AS issued,
             coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0) AS redeemed,
             coalesce(-sum(points) FILTER (WHERE kind = 'expire'), 0) AS expired,
             sum(points) AS net
      FROM entries GROUP BY 1, 2, 3) AS h
GROUP BY 1, 2, 3
ON CONFLICT (store_id, day, terminal_id) DO UPDATE SET
    sales = excluded.sales, sales_minor = excluded.sales_minor, issued = excluded.issued,
    redeemed = excluded.redeemed, expired = excluded.expired, net = excluded.net;

-- (Hours are fixed-width text: the latest hour is the latest day.)
INSERT INTO wallet_activity (store_id, wallet_id, last_day)
SELECT s, wallet_id, backoffice_day(max(left(created_at, 13)))
FROM entries CROSS JOIN LATERAL (VALUES (store_id), ('*')) AS v (s)
WHERE kind IN ('earn', 'redeem')
GROUP BY 1, 2;

-- Finding members by name from the back office (a prefix of the name).
CREATE INDEX members_name_prefix ON members (lower(name) text_pattern_ops)
    WHERE merged_into IS NULL AND name IS NOT NULL;
