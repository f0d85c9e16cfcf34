"""The server secret that keys the hashes of one-time codes.

Read from the environment when set (production: `CLEF_SECRET_KEY`, the name is configurable); otherwise a
random key is generated once and kept in a file only the server's user can read (embedded defaults,
`make run`), so that a restart keeps live codes working.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from bot.config import secret


def load_secret_key(env_name: str, path: Path) -> bytes:
    """The key from `env_name`, else from `path`, creating the file (mode 0600) the first time."""
    from_env = secret(env_name)
    if from_env:
        return from_env.encode()
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process created the key first: read theirs
            os.link(draft, path)  # atomic
    finally:
        draft.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path}: the secret key file is empty; delete it to generate a new key")
    return value.encode()
