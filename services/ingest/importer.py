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
from contextlib import nullcontext
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, ContextManager, Iterable, Iterator

from events.codec import parse_line
from events.errors import EventError
from events.fast import QUICK
from services.children import pool_options
from services.ingest.accept import Acceptor
from services.log.store import PreparedRow, prepare, prepare_body


@dataclass
class Validated:
    """Lines validated: the good ones' numbers and prepared rows (plain tuples, cheap to pickle
    back from a worker), and the bad ones' (number, error)."""

    numbers: list[int]
    rows: list[PreparedRow]
    rejects: list[tuple[int, EventError]]

    def cut(self, size: int) -> tuple["Validated", "Validated"]:
        """The first `size` good lines with the bad lines among them; the rest."""
        bound = self.numbers[size] if size < len(self.numbers) else None
        before = [r for r in self.rejects if bound is None or r[0] < bound]
        after = self.rejects[len(before):]
        return (Validated(self.numbers[:size], self.rows[:size], before),
                Validated(self.numbers[size:], self.rows[size:], after))

OnReject = Callable[[int, EventError], None]
Follower = Callable[[], ContextManager[Callable[[], None] | None]]

# Bytes per block handed to a validation worker (~6,000 province lines).
BLOCK_BYTES = 2 * 1024 * 1024
# Events per append transaction. The single writer bounds the import; fewer, larger commits
# write each index page once per transaction (SQLite: one WAL checkpoint per commit).
APPEND_EVENTS = 25_000
PARALLEL_FROM_BYTES = 8 * 1024 * 1024
# From this size (~100,000 events, the in-process bus's BULK_FROM) the read model is rebuilt behind
# the import, in its own process, when it holds nothing yet (services.bus.inprocess.following).
FOLLOW_FROM_BYTES = 32 * 1024 * 1024
# The validation workers run ahead of the one writer (a queue of blocks): niced, they take the CPU
# the writer and the read model's follower leave, and the follower keeps up with the log instead of
# finishing its backlog alone after the import (240k province events: its tail 2.3-3.3 s -> 0.8-1.3 s).
VALIDATION_NICE = 10


@dataclass
class ImportSummary:
    appended: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0  # empty or whitespace-only lines, skipped (said apart: the summary line is the contract's)

    def line(self) -> str:
        return f"appended {self.appended}, duplicates {self.duplicates}, rejected {self.rejected}"


def prepare_line(line: bytes) -> PreparedRow:
    """One `.jsonl` line for the log: by the quick path when it vouches for the line, else by the
    models (which refuse with EventError)."""
    quick = QUICK.body(line)
    if quick is not None:
        return prepare_body(*quick)
    return prepare(parse_line(line))


def validate_block(first: int, data: bytes) -> tuple[Validated, int]:
    """Pure: a block of whole lines, the first numbered `first`, to prepared rows or the error of
    each bad line; and how many lines were blank. Each line is given with its line break, as read."""
    out = Validated([], [], [])
    blank = 0
    lines = data.split(b"\n")
    last = lines.pop()  # after the final line break: empty, or the file's unterminated last line
    numbered = [(first + i, line + b"\n") for i, line in enumerate(lines)]
    if last:
        numbered.append((first + len(lines), last))
    for number, line in numbered:
        if not line.strip():
            blank += 1
            continue
        try:
            row = prepare_line(line)
        except EventError as error:
            out.rejects.append((number, error))
            continue
        out.numbers.append(number)
        out.rows.append(row)
    return out, blank


def numbered_blocks(stream: BinaryIO, size: int = BLOCK_BYTES,
                    on_bytes: Callable[[int], None] | None = None) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, bytes) of blocks of about `size` bytes cut after a line break:
    the reading process never splits lines itself (the workers do), so it stays free to write."""
    number, pending = 1, []
    while data := stream.read(size):
        if on_bytes:
            on_bytes(len(data))
        cut = data.rfind(b"\n") + 1
        if not cut:  # no line ends in this read: a line longer than a block
            pending.append(data)
            continue
        block = b"".join([*pending, data[:cut]])
        pending = [data[cut:]] if cut < len(data) else []
        yield number, block
        number += block.count(b"\n")
    if pending:
        yield number, b"".join(pending)


def _validated(blocks: Iterable[tuple[int, bytes]], workers: int) -> Iterator[tuple[Validated, int]]:
    if workers <= 1:
        for first, data in blocks:
            yield validate_block(first, data)
        return
    ahead = 2 * workers + 4  # a whole transaction's worth ready
    with ProcessPoolExecutor(max_workers=workers, **pool_options(nice=VALIDATION_NICE)) as pool:
        in_flight: deque = deque()
        for first, data in blocks:
            in_flight.append(pool.submit(validate_block, first, data))
            if len(in_flight) > ahead:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def _grouped(validated: Iterable[tuple[Validated, int]], summary: "ImportSummary",
             size: int = APPEND_EVENTS) -> Iterator[Validated]:
    """The validated lines in groups of `size` good ones (one append transaction each), each with
    the bad lines among them; the last one shorter."""
    group = Validated([], [], [])
    for items, blank in validated:
        summary.blank += blank
        group.numbers += items.numbers
        group.rows += items.rows
        group.rejects += items.rejects
        while len(group.rows) >= size:
            done, group = group.cut(size)
            yield done
    if group.rows or group.rejects:
        yield group


def append_validated(acceptor: Acceptor, validated: Validated, summary: ImportSummary, on_reject: OnReject) -> None:
    result = acceptor.import_prepared(validated.rows, notify=False)
    summary.appended += result.appended
    summary.duplicates += result.duplicates
    rejects = validated.rejects + [(validated.numbers[i], error) for i, error in result.reasons.items()]
    summary.rejected += len(rejects)
    for number, error in sorted(rejects, key=lambda r: r[0]):
        on_reject(number, error)


def import_file(path: str | Path, acceptor: Acceptor, on_reject: OnReject, *, workers: int | None = None,
                progress: bool = False, follower: Follower | None = None,
                follow_from_bytes: int = FOLLOW_FROM_BYTES, transaction: int = APPEND_EVENTS) -> ImportSummary:
    """`follower`: the in-process bus's `following` — for a file of `follow_from_bytes` or more, the
    read model is rebuilt behind the import rather than after it. `transaction`: events per append."""
    path = Path(path)
    size = path.stat().st_size
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if size >= PARALLEL_FROM_BYTES else 1
    summary = ImportSummary()
    following = follower() if follower is not None and size >= follow_from_bytes else nullcontext()
    with following as tick, (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as stream:
        bar = _progress_bar(size, path.name) if progress else None  # its thread starts after the follower forks
        blocks = numbered_blocks(stream, on_bytes=bar.update if bar else None)
        for validated in _grouped(_validated(blocks, workers), summary, transaction):
            append_validated(acceptor, validated, summary, on_reject)
            if tick is not None:
                tick()
        if bar:
            bar.close()
    if summary.appended or tick is not None:
        acceptor.notify()
    return summary


def _progress_bar(total: int, name: str):
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=f"import {name}", leave=False)
