"""The other processes of an instance serving its web chat (`web.workers` > 1), started and kept by `bot run`.

Each is `python -m bot run --web-worker` on the same configuration: it serves the web chat (REST, socket.io, the
desk and the pages) on the same port as the first process, which the kernel lets all of them listen on
(SO_REUSEPORT) and spreads the connections across. Only the first process polls Telegram and may run the
scheduled jobs. Turns of one chat stay ordered across the processes by the database's turn locks
(`bot.storage.locks`). A worker that exits is started again, at most once every `RESTART_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

RESTART_SECONDS = 5.0
STOP_SECONDS = 10.0


class WebWorkers:
    def __init__(self, config_file: Path, count: int) -> None:
        self._command = [sys.executable, "-m", "bot", "--config", str(config_file), "run", "--web-worker"]
        self._count = count
        self._processes: list[subprocess.Popen[bytes]] = []
        self._started: list[float] = []

    def start(self) -> None:
        for _ in range(self._count):
            self._processes.append(self._spawn())
            self._started.append(time.monotonic())
        log.info("%d web workers started", self._count)

    async def supervise(self, stop: asyncio.Event) -> None:
        """Start again a worker that exited, until `stop`; then stop them all."""
        try:
            while not stop.is_set():
                for index, process in enumerate(self._processes):
                    if process.poll() is not None and time.monotonic() - self._started[index] >= RESTART_SECONDS:
                        log.warning("web worker %d exited with %s: started again", index + 1, process.returncode)
                        self._processes[index] = self._spawn()
                        self._started[index] = time.monotonic()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
        finally:
            await asyncio.to_thread(self.stop)

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self._command)

    def stop(self) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
