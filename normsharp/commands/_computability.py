"""Argument types shared by the computability commands (``quantized-fit``, ``adversary``,
``exit-flag``): negative numbers as option values, architectures, grids and real inputs."""

from __future__ import annotations

import argparse
import re
from fractions import Fraction

from .._args import number

__all__ = ["allow_negative_values", "architecture", "grid", "real_input"]


def allow_negative_values(parser: argparse.ArgumentParser) -> None:
    """Let option values start with ``-`` (``--grid -2:2``, ``--x -1/3``): argparse takes only
    ``-1`` and ``-0.5`` for negative numbers; this command has no option that looks like one."""
    parser._negative_number_matcher = re.compile(r"^-\d|^-\.\d")


def architecture(text: str) -> tuple[int, ...]:
    """``2,2,1``: layer widths ``d_0, ..., d_L`` (at least two, each >= 1)."""
    try:
        widths = tuple(int(p) for p in text.replace(" ", "").split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: comma-separated layer widths such as 2,2,1") from None
    if len(widths) < 2 or min(widths) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r}: at least two widths (input, output), each >= 1, such as 2,2,1")
    return widths


def grid(text: str) -> tuple[Fraction, ...]:
    """``-2:2`` (the integers), ``-1:1:1/2`` (from, to, step) or ``-1,0,1/2`` (a list)."""
    t = text.replace(" ", "")
    if ":" in t:
        parts = t.split(":")
        if len(parts) not in (2, 3):
            raise argparse.ArgumentTypeError(f"{text!r}: LO:HI or LO:HI:STEP, such as -2:2")
        lo, hi = number(parts[0]), number(parts[1])
        step = number(parts[2]) if len(parts) == 3 else Fraction(1)
        if step <= 0 or hi < lo:
            raise argparse.ArgumentTypeError(f"{text!r}: LO <= HI and STEP > 0 are required")
        count = (hi - lo) / step
        if count > 10_000:
            raise argparse.ArgumentTypeError(f"{text!r}: at most 10000 grid values")
        return tuple(lo + k * step for k in range(int(count) + 1))
    parts = t.split(",")
    if not t or any(p == "" for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r}: LO:HI, LO:HI:STEP or a list such as -1,0,1")
    return tuple(number(p) for p in parts)


def real_input(text: str):
    """A real given exactly: a rational (``0.5``, ``1/3``) or ``sqrt(r)`` for a rational
    ``r >= 0``; returns ``(text, name)`` with a :class:`theory.names.Name` of it."""
    from theory.names import dyadic_name, sqrt_name

    t = text.replace(" ", "")
    m = re.fullmatch(r"sqrt\((.+)\)", t)
    if m:
        r = number(m.group(1))
        if r < 0:
            raise argparse.ArgumentTypeError(f"{text!r}: sqrt of a rational >= 0")
        return t, sqrt_name(r)
    return str(number(t)), dyadic_name(number(t))
