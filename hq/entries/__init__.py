"""Entries: see service.py (and router.py for the HTTP face)."""
