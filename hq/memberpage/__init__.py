"""A member's own page at head office: GET /m/{token} (issue 13)."""
