"""History import: stream a `.jsonl` file into the log, keeping each line's `recorded_at`.

Lines are validated in chunks (in worker processes when the file is large) and appended in
transactions of up to APPEND_EVENTS events, so a bad line never loses the good lines around it
and a re-import appends nothing. No department authorisation here: that guards the bus and
HTTP ingest. The lines go through the accept path (`services.ingest.accept`), which tells the bus
once the whole file is in, so that a large import is projected in bulk.
"""
from __future__ import annotations

import gzip
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from events.codec import parse_line
from events.errors import EventError
from services.children import pool_options
from services.ingest.accept import Acceptor
from services.log.store import PreparedEvent, prepare

Chunk = list[tuple[int, bytes]]
Validated = list[tuple[int, PreparedEvent | EventError]]
OnReject = Callable[[int, EventError], None]

CHUNK_LINES = 5000
# Events per append transaction. The single writer bounds the import; fewer, larger commits
# write each index page once per transaction (SQLite: one WAL checkpoint per commit).
APPEND_EVENTS = 25_000
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


@dataclass
class ImportSummary:
    appended: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0  # empty or whitespace-only lines, skipped (said apart: the summary line is the contract's)

    def line(self) -> str:
        return f"appended {self.appended}, duplicates {self.duplicates}, rejected {self.rejected}"


def validate_chunk(chunk: Chunk) -> Validated:
    """Pure: numbered lines to prepared events or the error of each bad line."""
    out: Validated = []
    for number, line in chunk:
        try:
            out.append((number, prepare(parse_line(line))))
        except EventError as error:
            out.append((number, error))
    return out


def numbered_chunks(stream: BinaryIO, size: int = CHUNK_LINES, on_bytes: Callable[[int], None] | None = None,
                    on_blank: Callable[[], None] | None = None) -> Iterator[Chunk]:
    chunk: Chunk = []
    for number, line in enumerate(stream, start=1):
        if on_bytes:
            on_bytes(len(line))
        if line.strip():
            chunk.append((number, line))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        elif on_blank:
            on_blank()
    if chunk:
        yield chunk


def _validated(chunks: Iterable[Chunk], workers: int) -> Iterator[Validated]:
    if workers <= 1:
        for chunk in chunks:
            yield validate_chunk(chunk)
        return
    ahead = 2 * workers + APPEND_EVENTS // CHUNK_LINES  # a whole transaction's worth ready
    with ProcessPoolExecutor(max_workers=workers, **pool_options()) as pool:
        in_flight: deque = deque()
        for chunk in chunks:
            in_flight.append(pool.submit(validate_chunk, chunk))
            if len(in_flight) > ahead:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def _grouped(validated: Iterable[Validated], size: int = APPEND_EVENTS) -> Iterator[Validated]:
    group: Validated = []
    for items in validated:
        group += items
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def append_validated(acceptor: Acceptor, validated: Validated, summary: ImportSummary, on_reject: OnReject) -> None:
    good = [(n, item) for n, item in validated if not isinstance(item, EventError)]
    rejects = [(n, item) for n, item in validated if isinstance(item, EventError)]
    result = acceptor.import_prepared([item for _, item in good], notify=False)
    summary.appended += result.appended
    summary.duplicates += result.duplicates
    rejects += [(good[i][0], error) for i, error in result.reasons.items()]
    summary.rejected += len(rejects)
    for number, error in sorted(rejects, key=lambda r: r[0]):
        on_reject(number, error)


def import_file(path: str | Path, acceptor: Acceptor, on_reject: OnReject, *, workers: int | None = None,
                progress: bool = False) -> ImportSummary:
    path = Path(path)
    size = path.stat().st_size
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if size >= PARALLEL_FROM_BYTES else 1
    summary = ImportSummary()
    bar = _progress_bar(size, path.name) if progress else None
    with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as stream:
        def blank() -> None:
            summary.blank += 1

        chunks = numbered_chunks(stream, on_bytes=bar.update if bar else None, on_blank=blank)
        for validated in _grouped(_validated(chunks, workers)):
            append_validated(acceptor, validated, summary, on_reject)
    if bar:
        bar.close()
    if summary.appended:
        acceptor.notify()
    return summary


def _progress_bar(total: int, name: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=f"import {name}", leave=False)
