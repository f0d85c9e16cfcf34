"""Embedded NLU: French normalisation, intent classification and entity extraction, Rasa-shaped output."""
