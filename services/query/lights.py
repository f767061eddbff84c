"""The lights' thresholds from their configuration file (the edge; the rules are pure, in
projections/views/lights.py): `services/query/lights.toml` (the defaults, documented key by key),
or the file named by $PROJFACTS_LIGHTS. Read once per file version (path, modification time, size)."""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from projections.views.lights import Lights

DEFAULT_FILE = Path(__file__).resolve().with_name("lights.toml")
ENV = "PROJFACTS_LIGHTS"


def lights_file(environ: Mapping[str, str] = os.environ) -> Path:
    named = environ.get(ENV)
    return Path(named) if named else DEFAULT_FILE


def load_lights(path: str | Path | None = None, environ: Mapping[str, str] = os.environ) -> Lights:
    """The thresholds of `path` (default: $PROJFACTS_LIGHTS, else the shipped defaults)."""
    file = Path(path) if path is not None else lights_file(environ)
    try:
        stat = file.stat()
    except OSError as error:
        raise ValueError(f"lights file {file}: {error.strerror or error}") from None
    return _load(str(file), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, _mtime: int, _size: int) -> Lights:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        return Lights.from_mapping(data)
    except (tomllib.TOMLDecodeError, ValueError, TypeError) as error:
        raise ValueError(f"lights file {path}: {error}") from None
