"""The command-line commands beyond `run` that report on the assistant (`account`, `conversation-eval`)."""
