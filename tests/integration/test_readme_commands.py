"""Every `projfacts ...` command line in README.md's code blocks runs and exits 0, against a fresh
store holding the demo county (阳城 2024) — so that the README cannot drift from the program.

A line is a synopsis: `[optional]` parts, `a|b` alternatives of a value, `cmd1 | cmd2 …` several
commands, and placeholders (R, P, T, D, FILE …, in PLACEHOLDERS below). Each line runs in its
minimal form (no optional part), its full form (every optional part, first alternatives) and once
per other alternative. Lines that need a running broker or that start a server are in SKIPPED, with
the reason.
"""
from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DEMO = ROOT / "services" / "entry" / "data" / "yangcheng-2024.jsonl.gz"
PROJFACTS = Path(sys.executable).with_name("projfacts")

SKIPPED = {
    "serve": "starts a server that runs until stopped (tests/integration/api runs it on loopback)",
    "submit": "needs a Kafka broker (tests/integration/kafka; without one: test_cli_errors.py)",
    "topics create": "needs a Kafka broker (tests/integration/kafka; without one: test_cli_errors.py)",
}


def readme_lines() -> list[str]:
    """`projfacts …` lines of the README's code blocks (indented or fenced), comments cut off."""
    lines, fenced = [], False
    for raw in README.read_text().splitlines():
        if raw.strip().startswith("```"):
            fenced = not fenced
            continue
        if not (fenced or raw.startswith("    ")):
            continue
        text = raw.strip()
        if text.startswith("projfacts "):
            lines.append(re.split(r"\s{2,}#|\s#\s", text)[0].strip())
    return lines


def _split_outside_brackets(text: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, ""
    i = 0
    while i < len(text):
        if text[i] == "[":
            depth += 1
        elif text[i] == "]":
            depth -= 1
        if depth == 0 and text.startswith(separator, i):
            parts.append(current)
            current, i = "", i + len(separator)
            continue
        current += text[i]
        i += 1
    return parts + [current]


def expand(line: str) -> list[list[str]]:
    """The argument lists a synopsis line stands for (see the module's docstring)."""
    body = line.removeprefix("projfacts ").strip()
    commands = _split_outside_brackets(body, " | ")
    last = commands[-1].split(" ", 1)
    options = last[1] if len(last) > 1 else ""
    names = [c.strip() for c in commands[:-1]] + [last[0].strip()]
    forms = []
    optional = re.findall(r"\[([^\[\]]*)\]", options)
    required = re.sub(r"\s*\[[^\[\]]*\]", "", options).strip()
    full_parts = [_split_outside_brackets(group, " | ") for group in optional]
    for name in names:
        forms.append(f"{name} {required}")
        forms.append(" ".join([name, required] + [alternatives[0] for alternatives in full_parts]))
        for index, alternatives in enumerate(full_parts):
            for other in alternatives[1:]:
                chosen = [a[0] for a in full_parts]
                chosen[index] = other
                forms.append(" ".join([name, required] + chosen))
    runs = []
    for form in dict.fromkeys(f.strip() for f in forms):
        tokens = form.split()
        choices = [(i, t.split("|")) for i, t in enumerate(tokens) if "|" in t]
        runs.append([t.split("|")[0] for t in tokens])
        for i, alternatives in choices:
            for other in alternatives[1:]:
                variant = [t.split("|")[0] for t in tokens]
                variant[i] = other if not other.startswith(".") else alternatives[0].rsplit(".", 1)[0] + other
                runs.append(variant)
    unique = []
    for run in runs:
        if run not in unique:
            unique.append(run)
    return unique


def reader_id(url: str, token: str) -> str:
    from services.ingest.readers import verify_reader
    from services.log import EventStore

    store = EventStore.reader(url)
    try:
        return verify_reader(store, token).token_id
    finally:
        store.engine.dispose()


def demo_project() -> str:
    with gzip.open(DEMO) as stream:
        return orjson.loads(stream.readline())["project_id"]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    work = tmp_path_factory.mktemp("readme")
    url = f"sqlite:///{work / 'store.sqlite'}"
    env = {k: v for k, v in os.environ.items() if k not in ("PROJFACTS_BUS", "PROJFACTS_BOOTSTRAP")}
    env.update(PROJFACTS_DB=url, XDG_DATA_HOME=str(work / "xdg"))
    imported = subprocess.run([str(PROJFACTS), "import", str(DEMO)], env=env, cwd=work, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    return work, url, env


def test_the_readme_lists_the_commands():
    names = {line.split()[1] for line in readme_lines()}
    assert {"import", "report", "explain", "rank", "bulletin", "ledger", "starts", "stage", "dossier", "token",
            "publish", "verify", "revisions", "replay", "verify-log"} <= names


def test_every_readme_command_runs(demo_store):
    work, url, env = demo_store
    values = {"R": "140522", "P": "2024Q1", "T": "2024-04-10", "T1": "2024-04-10", "T2": "2024-07-10",
              "D": "2024-03-31", "FILE": str(DEMO), "URL": url, "PROJECT_ID": demo_project(), "DEPARTMENT": "ndrc",
              "L": "readme", "N": "2", "ID": None, "TOKEN_ID": None}
    ran, skipped = [], []
    for line in readme_lines():
        for args in expand(line):
            name = next((n for n in (" ".join(args[:2]), args[0]) if n in SKIPPED), None)
            if name:
                skipped.append(name)
                continue
            filled = []
            for token in args:
                if token.startswith("FILE."):  # --out FILE.xlsx
                    token = str(work / f"ledger{token[4:]}")
                elif token in values:
                    assert values[token] is not None, f"{token} is not known yet when {line!r} runs"
                    token = values[token]
                filled.append(token)
            result = subprocess.run([str(PROJFACTS), *filled], env=env, cwd=work, capture_output=True, text=True,
                                    timeout=300, stdin=subprocess.DEVNULL)
            assert result.returncode == 0, (line, filled, result.stdout[-2000:], result.stderr[-2000:])
            if filled[0] == "publish":
                values["ID"] = re.match(r"published (\S+):", result.stdout).group(1)
            if filled[:2] == ["reader", "create"]:  # the id `reader list` shows and `reader revoke` takes
                values["TOKEN_ID"] = reader_id(url, result.stdout.strip())
            ran.append(filled)
    assert len(ran) > 40 and set(skipped) == set(SKIPPED), (len(ran), skipped)
