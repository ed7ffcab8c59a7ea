"""The counter flows now live in one module per screen (test_login.py,
test_lookup.py, test_member.py, ...), their helpers in conftest.py.

Kept only because tests/reliability imports the helpers from here; when those
imports name tests.app.conftest, delete this file."""

from tests.app.conftest import login, message, on, open_card

__all__ = ["login", "message", "on", "open_card"]
