"""The pure core: domain types and decisions, with no I/O."""
