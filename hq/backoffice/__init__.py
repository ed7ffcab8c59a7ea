"""The back office in the browser: users, sessions, the dashboard and members (issue 13)."""
