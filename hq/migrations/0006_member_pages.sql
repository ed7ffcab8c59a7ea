-- Head office schema, version 6: a page for each member (issue 13), GET /m/{token}.
--
-- A member's page is reached by an unguessable token (32 random bytes, base64url),
-- never by the member id or the phone. Head office keeps only the token's sha256,
-- to find the member by the token a browser brings (a lookup by hash: no string
-- compare on the secret itself, and a copy of this table opens no page). The
-- token itself travels to the tills as a 'member_page' change on the feed, which
-- they print in the sale slip's QR; that change is the one place head office
-- holds it (kept, unlike member snapshots, so a till that joins later learns it;
-- replaced when the token is rotated, deleted when the member is forgotten).
CREATE TABLE member_pages (
    member_id text COLLATE "C" PRIMARY KEY REFERENCES members (member_id),
    token_hash text COLLATE "C" NOT NULL UNIQUE,
    issued_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE changes DROP CONSTRAINT changes_kind_check;
ALTER TABLE changes ADD CONSTRAINT changes_kind_check
    CHECK (kind IN ('member', 'merge', 'coupon', 'settings', 'member_page'));
CREATE INDEX changes_member_pages ON changes ((body->>'member_id')) WHERE kind = 'member_page';

-- 32 random bytes as 43 base64url characters. Two version-4 UUIDs carry 244
-- random bits from PostgreSQL's strong random source (no extension needed);
-- pos-hq member token --rotate makes its tokens with Python's secrets module.
CREATE FUNCTION new_page_token() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT rtrim(translate(encode(decode(
        replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''),
        'hex'), 'base64'), '+/', '-_'), '=')
$$;

-- Every member gets its page when head office first stores it, however it came
-- (a push, a merge): one statement per batch of new members, in the same
-- transaction, so a till pulling after its push finds the token.
CREATE FUNCTION issue_member_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH made AS MATERIALIZED (
        SELECT member_id, new_page_token() AS token FROM fresh WHERE erased_at IS NULL
    ), kept AS (
        INSERT INTO member_pages (member_id, token_hash)
        SELECT member_id, encode(sha256(convert_to(token, 'UTF8')), 'hex') FROM made
        ON CONFLICT DO NOTHING RETURNING member_id
    )
    INSERT INTO changes (kind, origin_terminal_id, body)
    SELECT 'member_page', NULL,
           jsonb_build_object('kind', 'member_page', 'member_id', m.member_id, 'token', m.token)
    FROM made m JOIN kept k USING (member_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER members_pages AFTER INSERT ON members
    REFERENCING NEW TABLE AS fresh FOR EACH STATEMENT EXECUTE FUNCTION issue_member_pages();

-- Members already here get theirs now.
WITH made AS MATERIALIZED (
    SELECT member_id, new_page_token() AS token FROM members WHERE erased_at IS NULL
), kept AS (
    INSERT INTO member_pages (member_id, token_hash)
    SELECT member_id, encode(sha256(convert_to(token, 'UTF8')), 'hex') FROM made
    RETURNING member_id
)
INSERT INTO changes (kind, origin_terminal_id, body)
SELECT 'member_page', NULL,
       jsonb_build_object('kind', 'member_page', 'member_id', m.member_id, 'token', m.token)
FROM made m JOIN kept k USING (member_id)
ORDER BY m.member_id;
