"""The log writer's memory of its own appends (services/log/memory.py), alone."""
from services.log.memory import WriterMemory


def test_an_empty_log_is_known_whole_until_a_foreign_last_row():
    memory = WriterMemory()
    memory.begin(None)
    assert memory.heads({"a", "b"}) == ({}, set())  # empty log: every head is 0, nothing to ask
    assert memory.maybe_logged(["e1", "e2"]) == []
    memory.wrote((3, "e3"), {"a": 2, "b": 1}, ["e1", "e2", "e3"])
    memory.begin((3, "e3"))
    assert memory.heads({"a", "c"}) == ({"a": 2}, set())
    assert memory.maybe_logged(["e2", "e9"]) == ["e2"]
    memory.begin((5, "x5"))  # someone else wrote: ask the log
    assert memory.heads({"a", "c"}) == ({}, {"a", "c"})
    assert memory.maybe_logged(["e2", "e9"]) == ["e2", "e9"]


def test_a_memory_begun_on_a_log_with_rows_asks_for_what_it_has_not_written():
    memory = WriterMemory()
    memory.begin((10, "e10"))
    assert memory.heads({"a"}) == ({}, {"a"})
    memory.wrote((11, "e11"), {"a": 4}, ["e11"])
    memory.begin((11, "e11"))
    assert memory.heads({"a", "b"}) == ({"a": 4}, {"b"})
    assert memory.maybe_logged(["e11", "e1"]) == ["e11", "e1"]


def test_too_much_is_forgotten():
    memory = WriterMemory(most_projects=2, most_ids=3)
    memory.begin(None)
    memory.wrote((2, "e2"), {"a": 1}, ["e1", "e2"])
    memory.wrote((4, "e4"), {"b": 1}, ["e3", "e4"])  # 4 ids: asked of the log again, heads kept
    memory.begin((4, "e4"))
    assert memory.maybe_logged(["e1"]) == ["e1"] and memory.heads({"a"}) == ({"a": 1}, set())
    memory.wrote((5, "e5"), {"c": 1}, ["e5"])  # 3 projects: all forgotten
    memory.begin((5, "e5"))
    assert memory.heads({"a"}) == ({}, {"a"})
