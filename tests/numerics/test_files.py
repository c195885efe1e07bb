"""Crash-safe files (numerics.files) and checkpoint encoding (numerics.checkpoint).

Expected values are written out here: the bytes a file must hold after an atomic replacement,
an interrupted one, and a torn log line; exact binary values round-tripped through their text.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from numerics.checkpoint import dyadic, undyadic
from numerics.files import LineLog, atomic_open, atomic_write


def test_atomic_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old\n")
    atomic_write(path, "new\r\nline\n")  # written verbatim: no newline translation
    assert path.read_bytes() == b"new\r\nline\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_an_interrupted_atomic_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(path) as fh:
            fh.write("half")
            raise KeyboardInterrupt
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_line_log_appends_complete_lines_and_truncates_a_torn_one(tmp_path):
    log = LineLog(tmp_path / "log.jsonl")
    assert log.lines() == []
    log.open()
    log.append('{"a":1}')
    log.append('{"b":2}')
    log.close()
    with open(log.path, "ab") as fh:  # a write interrupted mid-line
        fh.write(b'{"c":')
    again = LineLog(log.path)
    assert again.lines() == [b'{"a":1}', b'{"b":2}']
    assert log.path.read_bytes() == b'{"a":1}\n{"b":2}\n'


@pytest.mark.parametrize("q, text", [(F(0), "0p0"), (F(3, 8), "3p-3"), (F(-5, 2), "-5p-1"),
                                     (F(12), "cp0"), (F(2**-1074), "1p-1074")])
def test_dyadic_text_is_exact(q, text):
    assert dyadic(q) == text and undyadic(text) == q


def test_dyadic_refuses_a_non_binary_fraction():
    with pytest.raises(ValueError):
        dyadic(F(1, 3))
