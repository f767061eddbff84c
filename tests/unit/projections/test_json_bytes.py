"""What `--format json` prints and HTTP sends: `json_bytes`, the bytes of `dumps` (UTF-8, Chinese as
it is, never \\u-escaped) and its newline — written as they are, with no str copy of a large answer."""
from decimal import Decimal

from projections.report import dumps, json_bytes


def test_json_bytes_are_the_dumped_text_and_its_newline_in_utf8():
    answer = {"region_name": "阳城县", "projects": [{"name": "新能源产业园", "amount": str(Decimal("52000.00"))}],
              "counts": {"逾期": 3}, "none": None}
    out = json_bytes(answer)
    assert out == (dumps(answer) + "\n").encode("utf-8")
    assert "阳城县".encode() in out and b"\\u" not in out
    assert out.endswith(b"}\n") and not out.endswith(b"\n\n")
