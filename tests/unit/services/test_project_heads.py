"""The writer's memory of project heads (services/log/heads.py), alone."""
from services.log.heads import ProjectHeads


def test_an_empty_log_knows_every_project_and_a_foreign_last_row_forgets():
    heads = ProjectHeads()
    assert heads.known(None, {"a", "b"}) == ({}, set())  # empty log: every head is 0, nothing to ask
    heads.wrote((3, "e3"), {"a": 2, "b": 1})
    assert heads.known((3, "e3"), {"a", "c"}) == ({"a": 2}, set())
    heads.wrote((4, "e4"), {"c": 1})
    assert heads.known((5, "x5"), {"a", "c"}) == ({}, {"a", "c"})  # someone else wrote: ask the log


def test_a_memory_begun_on_a_log_with_rows_asks_for_the_projects_it_has_not_seen():
    heads = ProjectHeads()
    assert heads.known((10, "e10"), {"a"}) == ({}, {"a"})
    heads.wrote((11, "e11"), {"a": 4})
    assert heads.known((11, "e11"), {"a", "b"}) == ({"a": 4}, {"b"})


def test_too_many_projects_are_forgotten():
    heads = ProjectHeads(most=2)
    heads.known(None, set())
    heads.wrote((3, "e3"), {"a": 1, "b": 1, "c": 1})
    assert heads.known((3, "e3"), {"a"}) == ({}, {"a"})
