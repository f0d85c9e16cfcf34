"""rasa-sdk custom actions. The same classes run in process (ActionExecutor) and under
`python -m rasa_sdk --actions actions`; they reach their services through `actions.context.services()`."""
