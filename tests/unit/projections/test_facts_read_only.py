"""A `Fact` is a plain slotted dataclass (not frozen: a frozen one sets each field through
`object.__setattr__`, five times the cost, and a province's 领导包联 makes 1.5 M of them). Read-only
is therefore a rule of the code, held here: nothing in the product assigns to, or deletes, a fact's
field — a fact is what the log recorded, and the views share the same objects."""
from __future__ import annotations

import ast
from dataclasses import fields
from datetime import date
from pathlib import Path

from projections.facts import RECORDED_ORDER, VERSION_ORDER, Fact, fact_from_json

ROOT = Path(__file__).resolve().parents[3]
FIELDS = frozenset(f.name for f in fields(Fact))
PACKAGES = ("events", "projections", "services")


def writes_to_fields(source: str) -> list[tuple[int, str]]:
    """(line, name) of every assignment or deletion of an attribute named like a fact's field, or of
    an item inside one (`fact.data["x"] = …`), other than an object's own (`self.x = …`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        else:
            continue
        while targets:
            target = targets.pop()
            if isinstance(target, (ast.Tuple, ast.List)):
                targets.extend(target.elts)
            elif isinstance(target, ast.Starred):
                targets.append(target.value)
            elif isinstance(target, ast.Subscript):
                targets.append(target.value)  # the container written into, not the key
            elif (isinstance(target, ast.Attribute) and target.attr in FIELDS
                  and not (isinstance(target.value, ast.Name) and target.value.id == "self")):
                found.append((target.lineno, target.attr))
    return sorted(found)


def test_the_scan_finds_what_it_looks_for():
    sample = ("fact.data = {}\nf.position += 1\nx, g.event_id = 1, 2\ndel h.department\n"
              "self.data = {}\nfact.data['x'] = 1\nother.name = 3\nseen[fact.event_id] = fact\n")
    assert writes_to_fields(sample) == [(1, "data"), (2, "position"), (3, "event_id"), (4, "department"),
                                        (6, "data")]


def test_no_module_assigns_to_a_fact_field():
    offenders = [f"{path.relative_to(ROOT)}:{line} .{name}"
                 for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
                 for line, name in writes_to_fields(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_positional_construction_is_the_contract_json_one():
    obj = {"event_id": "e-1", "event_type": "ProjectRegistered", "project_id": "p-1", "occurred_on": "2025-03-01",
           "source": {"department": "fgw"}, "payload": {"region": "140521"}}
    assert Fact(7, "e-1", "ProjectRegistered", "p-1", date(2025, 3, 1), 42, "fgw", {"region": "140521"}) \
        == fact_from_json(7, obj, 42)


def test_the_order_keys_are_the_orders():
    fact = Fact(7, "e-1", "ProjectRegistered", "p-1", date(2025, 3, 1), 42, "fgw", {})
    assert (RECORDED_ORDER(fact), VERSION_ORDER(fact)) == (fact.order, fact.version_order) \
        == ((42, 7), (date(2025, 3, 1), 42, 7))
