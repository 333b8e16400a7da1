"""Test helpers: a phone that talks to the real Application, and a fake Bot API server."""
