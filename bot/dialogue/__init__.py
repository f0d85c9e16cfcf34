"""Dialogue: the domain, rules and forms read from knowledge/, the policy and the engine that runs actions."""
