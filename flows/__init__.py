"""Declarative conversations (YAML under definitions/) and the pure engine that runs them."""
