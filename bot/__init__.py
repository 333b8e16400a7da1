"""Wegwijzer: the application (adapters, services and the composition root)."""
