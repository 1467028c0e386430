"""Loopback simulator of the platforms' open APIs and pushes (see docs/platforms.md)."""
