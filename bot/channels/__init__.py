"""Thin adapters that carry the core's replies to a chat platform or the terminal."""
