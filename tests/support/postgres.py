"""A throw-away PostgreSQL server (Debian's postgresql) on 127.0.0.1, for the storage tests.

PostgreSQL refuses to run as root: when the tests run as root (CI), the cluster belongs to the
unprivileged `nobody` user and its commands run through `runuser`.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port


def binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@dataclass
class Postgres:
    folder: Path
    port: int = 0

    @property
    def url(self) -> str:
        return self.url_of("clef")

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg://clef@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str) -> str:
        """A new, empty database on this server (a test's own, apart from the module's others); its URL."""
        bin_dir = binaries()
        assert bin_dir is not None
        self._run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "clef", name)
        return self.url_of(name)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(prefix + list(command), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    def start(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("Debian's postgresql is not installed: run `make test`, which installs it")
        self.port = free_port()
        data = self.folder / "data"
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "nobody", "nogroup")
            self.folder.chmod(0o700)
        self._run(str(bin_dir / "initdb"), "-D", str(data), "-U", "clef", "--auth=trust", "-E", "UTF8", "--locale=C")
        self._run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.folder / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} -h 127.0.0.1 -k {self.folder} -F",
            "start",
        )
        self._run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "clef", "clef")

    def stop(self) -> None:
        bin_dir = binaries()
        if bin_dir is not None and (self.folder / "data" / "postmaster.pid").exists():
            self._run(str(bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        time.sleep(0.1)
