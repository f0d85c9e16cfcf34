"""One lock per chat, so that the turns of a chat never run at the same time, for as long as a turn of it runs
or waits: the table holds the chats being answered now, not every chat this process has seen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ChatLocks:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: dict[str, tuple[threading.Lock, int]] = {}  # chat → its lock, and the turns holding or waiting

    def __len__(self) -> int:
        """The chats with a turn running or waiting."""
        with self._guard:
            return len(self._held)

    @contextmanager
    def holding(self, chat: str) -> Iterator[None]:
        """Wait for the chat's turn in progress, if any; the chat is forgotten when no turn of it is left."""
        with self._guard:
            lock, turns = self._held.get(chat) or (threading.Lock(), 0)
            self._held[chat] = (lock, turns + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, turns = self._held[chat]
                if turns == 1:
                    del self._held[chat]
                else:
                    self._held[chat] = (lock, turns - 1)
