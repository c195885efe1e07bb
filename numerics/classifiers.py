"""Finite-precision classifiers of names against a threshold: what the boundary adversary beats.

Each builder returns a halting classifier ``Name -> "above" | "below"`` (see
:mod:`theory.names`): it reads the input's name at a fixed precision, computes in float64,
mpmath at ``digits`` decimal digits (a private context) or interval arithmetic with a fixed
number of refinements, and answers a side of ``t``. None of them is wrong often; each is
wrong somewhere near ``t``, and :func:`theory.names.adversary` finds where.
:func:`failure_detector` is a "perfect failure detector" for any of them: it re-reads the
name far more precisely and flags the inputs where the classifier's answer disagrees with
the exact comparison of that approximation; it too is a halting classifier, and
:func:`theory.names.defeat_failure_detector` finds a name on which it is wrong.

:func:`classifier_from_spec` parses ``float64``, ``mpmath:DIGITS``, ``interval:K`` and
``exit:B`` (the budgeted exit-flag classifier of :mod:`theory.exit_flag`, which the adversary
cannot beat because it refuses to answer at ``t``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from theory.exit_flag import classify_with_exit
from theory.names import ABOVE, BELOW, Name, side_of_answer

from .errors import DomainError
from .problem import as_fraction

__all__ = ["float64_classifier", "mpmath_classifier", "interval_classifier",
           "exit_classifier", "failure_detector", "classifier_from_spec", "SPECS",
           "FLOAT64_READ"]

#: bits of the name a float64 classifier reads (the input handed over as a double)
FLOAT64_READ = 60
#: the classifier specs accepted by :func:`classifier_from_spec`
SPECS = ("float64", "mpmath:DIGITS", "interval:K", "exit:B")


def _threshold(t) -> Fraction:
    return as_fraction(t, "t")


def float64_classifier(t) -> Callable[[Name], str]:
    """Read the name at :data:`FLOAT64_READ` bits, round it to a double, compare with the
    double nearest ``t``: ``"above"`` when ``float(q) >= float(t)``."""
    tq = _threshold(t)
    tf = float(tq)

    def classify(name: Name) -> str:
        return ABOVE if float(name(FLOAT64_READ)) >= tf else BELOW

    classify.label = "float64"
    return classify


def mpmath_classifier(t, digits: int) -> Callable[[Name], str]:
    """Compare at ``digits`` significant decimal digits in a private mpmath context, reading
    the name at ``ceil(digits log2 10) + 8`` bits."""
    import mpmath

    tq = _threshold(t)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 10_000:
        raise DomainError("digits", digits, "an integer 1..10000 (mpmath precision)")
    ctx = mpmath.MPContext()
    ctx.dps = digits
    bits = math.ceil(digits * math.log2(10)) + 8
    t_mp = ctx.mpf(tq.numerator) / tq.denominator

    def classify(name: Name) -> str:
        q = name(bits)
        return ABOVE if ctx.mpf(q.numerator) / q.denominator >= t_mp else BELOW

    classify.label = f"mpmath:{digits}"
    return classify


def interval_classifier(t, refinements: int, *, step: int = 8) -> Callable[[Name], str]:
    """Interval arithmetic with a fixed number of refinements: at ``k = 1..refinements`` read
    the name at ``step k`` bits and form the interval ``[q - 2^-n, q + 2^-n]`` (mpmath's
    interval context, outward rounded, private); answer as soon as it lies on one side of
    ``t``; after the last refinement, guess by the midpoint (it must halt with a class)."""
    from mpmath.ctx_iv import MPIntervalContext

    tq = _threshold(t)
    if (isinstance(refinements, bool) or not isinstance(refinements, int)
            or not 1 <= refinements <= 10_000):
        raise DomainError("refinements", refinements, "an integer 1..10000")
    iv = MPIntervalContext()
    iv.prec = 64 + step * refinements
    t_iv = iv.mpf(tq.numerator) / tq.denominator

    def classify(name: Name) -> str:
        q = None
        for k in range(1, refinements + 1):
            n = step * k
            q = name(n)
            box = iv.mpf(q.numerator) / q.denominator + iv.mpf([-1, 1]) / iv.mpf(2) ** n
            if box.a > t_iv.b:
                return ABOVE
            if box.b < t_iv.a:
                return BELOW
        return ABOVE if q >= tq else BELOW

    classify.label = f"interval:{refinements}"
    return classify


def exit_classifier(t, budget: int) -> Callable[[Name], str]:
    """The budgeted classifier with an exit flag (:func:`theory.exit_flag.classify_with_exit`)."""
    tq = _threshold(t)

    def classify(name: Name) -> str:
        return classify_with_exit(name, tq, budget)

    classify.label = f"exit:{budget}"
    return classify


def failure_detector(classifier: Callable[[Name], object], t, *,
                     extra_bits: int = 64) -> Callable[[Name], bool]:
    """A "perfect" failure detector for ``classifier``: run it, then read the name
    ``extra_bits`` beyond the precision it read and flag a failure when its side disagrees
    with the exact comparison of that approximation with ``t`` (``q >= t``: above)."""
    tq = _threshold(t)

    def detect(name: Name) -> bool:
        answer = classifier(name)
        read = name.precision or 0
        q = name(read + extra_bits)
        exact = ABOVE if q >= tq else BELOW
        return side_of_answer(answer) != exact

    detect.label = f"failure detector of {getattr(classifier, 'label', 'the classifier')}"
    return detect


def classifier_from_spec(spec: str, t) -> Callable[[Name], str]:
    """``float64``, ``mpmath:DIGITS``, ``interval:K`` or ``exit:B`` as a classifier against
    ``t`` (errors name the argument ``classifier``)."""
    text = str(spec).strip()
    kind, _, arg = text.partition(":")
    if kind == "float64" and not arg:
        return float64_classifier(t)
    if kind in ("mpmath", "interval", "exit") and arg:
        try:
            value = int(arg)
        except ValueError:
            value = None
        if value is not None and value >= (0 if kind == "exit" else 1):
            try:
                if kind == "mpmath":
                    return mpmath_classifier(t, value)
                if kind == "interval":
                    return interval_classifier(t, value)
                return exit_classifier(t, value)
            except DomainError as exc:
                raise DomainError("classifier", text, exc.required) from None
    raise DomainError("classifier", text, f"one of {', '.join(SPECS)} (DIGITS, K >= 1, B >= 0 "
                      "integers)")
