"""A black-hole TCP server for tests: it accepts connections on 127.0.0.1 and never answers.

This is how a hung SMTP or LDAP server looks to a client: the connection succeeds, then nothing comes
back. `BlackHole` counts the connections it accepted (so a test can wait until clients are stuck on it,
or check that none came) and, when stopped, closes them all and joins its thread.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

from tests.support.processes import free_port


class BlackHole:
    def __init__(self) -> None:
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port), backlog=64)
        self._listener.settimeout(0.05)
        self._accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_forever, name=f"blackhole-{self.port}", daemon=True)
        self._thread.start()

    def _accept_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._accepted.append(connection)

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return len(self._accepted)

    def wait_for_connections(self, count: int, timeout: float = 10.0) -> None:
        """Block until `count` connections were accepted (AssertionError after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while self.connections < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.connections} of {count} clients reached port {self.port}")
            time.sleep(0.01)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            accepted, self._accepted = self._accepted, []
        for connection in accepted:
            connection.close()

    def __enter__(self) -> BlackHole:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
