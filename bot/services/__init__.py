"""Use cases: plain functions over a Session that own their transaction and raise domain errors."""
