"""Test helpers that run real servers and processes."""
