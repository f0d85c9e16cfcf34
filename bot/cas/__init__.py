"""The ENT's CAS, as an adapter: validating a service ticket (the pure reading of its answer is `bot.core.cas`)."""
