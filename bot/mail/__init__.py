"""Outgoing mail: the `Mailer` port, its SMTP and capture adapters, a retrying outbox, French templates."""
