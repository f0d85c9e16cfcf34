"""Reading the project's YAML files with one-line errors that name the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: ten times faster than the pure one, which spent a fifth of the
# start-up reading knowledge/ (the same constructor and resolver build the same values)
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def safe_load(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's parser when there is one. A text it refuses is read again by the pure
    loader, so that an error, and its message, are the ones PyYAML always gave."""
    if _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER)  # the safe loader, in C
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def read_yaml(path: Path, error: type[Exception]) -> Any:
    """The parsed content of `path`; raises `error` with a message naming the file and the problem."""
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from None
