"""Channels: web (Rasa REST + chat page), Telegram, console, replay."""
