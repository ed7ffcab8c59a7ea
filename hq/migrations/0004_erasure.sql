-- Head office schema, version 4: members forgotten at their request (issue 15).

-- When the member's phone and name were erased (pos-hq member forget, or the
-- enrolling till's push of the member with no phone). A push that still carries
-- the old phone (a till that had not pulled the erasure) never brings it back.
ALTER TABLE members ADD COLUMN erased_at timestamptz;
