"""The console chat: the real Application against an in-memory Bot API (emulator.py)."""
