"""Rendering: cards and videos from a validated story. Never parses YAML."""
