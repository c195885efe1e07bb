"""How one generated instance is judged: exact, two-precision and one-sided decisions.

A check returns an :class:`Outcome` for one instance: ``pass``, ``fail`` or ``undecided``.
The rules below turn numbers into outcomes, one rule per kind of claim:

``identity`` (:func:`exact_equal`)
    Exact zero of the difference (Fractions, or ``sympy.simplify``). Nothing else passes.
``equality`` (:func:`two_precision_equal`)
    The experiment is run at two precisions. ``D`` is the number of decimal digits (relative to a
    scale) on which the two runs agree: the resolution of the comparison. ``D < MIN_DIGITS``
    is ``undecided``: the precision could not decide. A theory value that agrees with the
    higher-precision run to fewer than ``D - 2`` digits is ``fail`` (two digits of slack for
    the rounding of the last agreed digit and the evaluation of the theory value): a
    disagreement on digits both precisions share is a property of the mathematics, not of the
    arithmetic. A pass needs theory and numerics to agree on at least
    :data:`MIN_EQUAL_DIGITS` (6) digits that the numerics vouch for: ``min(D, theory digits)
    >= 6``; below that (and not a failure) the outcome is ``undecided (resolution D
    digits)``. So an equality is never passed on a handful of digits.
``upper`` / ``lower`` (:func:`exact_at_least`, :func:`two_precision_at_least`)
    One-sided: the margin (bound minus value, or value minus bound) must be ``>= 0``. Exact
    margins decide outright. A numerical margin passes when it is ``>= -slack``, where ``slack``
    is ten times the two precisions' disagreement (certified slack: the precision's own error
    estimate); it fails when it is below ``-slack`` at the higher precision and negative at
    both; otherwise ``undecided``.
``qualitative`` (:func:`procedure`)
    Each check documents its decision procedure (a docstring section ``Decision procedure``)
    and reports the verdict through :func:`procedure`.

Every rule stamps the :class:`Outcome` it returns with its name (``Outcome.rules``), and
:func:`combine` keeps the union, so the rules that actually decided an instance are known.
:data:`KIND_RULES` says which rules a check of each kind may use (and which it must use):
the registry (:mod:`proofs_check.claims`) validates every check against it, and
:func:`proofs_check.verify.verify` never verifies a check whose instances were decided by a
rule its kind does not allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

__all__ = [
    "Outcome", "PASS", "exact_equal", "exact_at_least", "two_precision_equal",
    "two_precision_at_least", "two_precision_residual", "procedure", "to_fraction",
    "high_precision", "digits_between", "MIN_DIGITS", "MIN_EQUAL_DIGITS", "combine",
    "KIND_RULES", "RULES", "CUSTOM", "RULE_TEXT", "evidence", "weakest", "evidence_text",
    "evidence_json",
]

#: fewest agreed digits with which a two-precision comparison decides anything (a failure
#: of an equality, the sign of a one-sided margin)
MIN_DIGITS = 4
#: fewest digits on which theory and numerics must agree (and the numerics vouch for) for an
#: equality to pass; fewer (and no failure) is ``undecided (resolution D digits)``
MIN_EQUAL_DIGITS = 6
#: working precision (decimal digits) at which a sympy number is evaluated as the "exact"
#: reference
REFERENCE_DPS = 90


@dataclass(frozen=True)
class Outcome:
    """The judgement of one check on one instance.

    Attributes
    ----------
    status : ``"pass"``, ``"fail"`` or ``"undecided"``
    error : float or None
        The discrepancy that was judged (absolute error, or the violation of a bound); for
        reports only.
    detail : dict
        JSON-able data explaining the judgement: the theory value, the two numerical values, the
        digits they agree on, the reason for ``undecided``.
    """

    status: str
    error: float | None = None
    detail: dict = field(default_factory=dict, compare=False)
    rules: frozenset = field(default=frozenset(), compare=False)

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    @property
    def decided_by(self) -> frozenset:
        """The decision rules behind this outcome (:data:`CUSTOM` when it was built by hand)."""
        return self.rules or frozenset({CUSTOM})


#: the rule name of an Outcome built directly (not by a rule of this module)
CUSTOM = "custom"
#: every decision rule of this module
RULES = ("exact_equal", "exact_at_least", "two_precision_equal", "two_precision_at_least",
         "two_precision_residual", "procedure")
_ONE_SIDED = frozenset({"exact_at_least", "two_precision_at_least"})
_TWO_PRECISION = frozenset({"two_precision_equal", "two_precision_residual"})
#: kind -> (rules a check of that kind must use at least one of, rules it may use).
#: ``identity``: exact equality only; ``equality``: agreement with the digits two precisions
#: share (exact equalities may accompany it: they are stricter); ``upper`` / ``lower``: a
#: one-sided test, exact or with certified slack (exact equalities may accompany it);
#: ``qualitative``: a documented procedure (anything, reported through :func:`procedure`).
KIND_RULES = {
    "identity": (frozenset({"exact_equal"}), frozenset({"exact_equal"})),
    "equality": (_TWO_PRECISION, _TWO_PRECISION | {"exact_equal"}),
    "upper": (_ONE_SIDED, _ONE_SIDED | {"exact_equal"}),
    "lower": (_ONE_SIDED, _ONE_SIDED | {"exact_equal"}),
    "qualitative": (frozenset(), frozenset(RULES) | {CUSTOM}),
}


def _rule(function):
    """Stamp every Outcome ``function`` returns with the function's name as its rule."""
    import functools

    name = function.__name__

    @functools.wraps(function)
    def stamped(*args, **kw) -> Outcome:
        out = function(*args, **kw)
        return Outcome(out.status, out.error, out.detail, frozenset({name}))

    stamped.__decision_rule__ = name
    return stamped


PASS = Outcome("pass", 0.0)


def combine(outcomes) -> Outcome:
    """The first failure, else the first undecided, else a pass with the largest error, the
    details of all parts and the union of their rules (a part built by hand counts as
    :data:`CUSTOM`)."""
    outcomes = list(outcomes)
    for status in ("fail", "undecided"):
        for o in outcomes:
            if o.status == status:
                return o
    errors = [o.error for o in outcomes if o.error is not None]
    parts = [o.detail for o in outcomes if o.detail]
    rules = frozenset().union(*(o.decided_by for o in outcomes)) if outcomes else frozenset()
    return Outcome("pass", max(errors) if errors else 0.0,
                   {} if not parts else parts[0] if len(parts) == 1 else {"parts": parts},
                   rules)


def to_fraction(value) -> Fraction:
    """Exact Fraction of an int, Fraction, float, sympy Rational, mpmath mpf or flint arb midpoint.

    Irrational sympy numbers are evaluated at :data:`REFERENCE_DPS` digits first (see
    :func:`high_precision`).
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("bool is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value)
    if isinstance(value, sp.Basic):
        if value.is_Rational:
            return Fraction(int(value.p), int(value.q))
        return high_precision(value)
    mid = getattr(value, "mid", None)
    if mid is not None and hasattr(value, "rad"):  # flint arb
        m = value.mid()
        man, exp = m.man_exp()
        return Fraction(int(man)) * Fraction(2) ** int(exp)
    man_exp = getattr(value, "man_exp", None)
    if man_exp is not None:  # mpmath mpf
        man, exp = man_exp
        return Fraction(int(man)) * Fraction(2) ** int(exp) if man else Fraction(0)
    return Fraction(value)


def high_precision(expr, dps: int = REFERENCE_DPS) -> Fraction:
    """A rational within ``10^-dps`` (relative) of the exact sympy number ``expr`` (evaluated
    by ``sympy.N`` at ``dps`` digits)."""
    expr = sp.sympify(expr)
    if expr.is_Rational:
        return Fraction(int(expr.p), int(expr.q))
    value = sp.N(expr, dps)
    if not value.is_real or not value.is_finite:
        raise ValueError(f"not a finite real number: {expr}")
    text = sp.sstr(value, full_prec=True)
    return Fraction(text)


def _as_tuple(value) -> tuple:
    """Flatten nested tuples and lists of numbers into one tuple of Fractions."""
    if isinstance(value, (tuple, list)):
        return tuple(f for v in value for f in _as_tuple(v))
    return (to_fraction(value),)


def digits_between(a, b, scale: Fraction) -> float:
    """Decimal digits of agreement of ``a`` and ``b`` (max norm), relative to ``scale`` > 0."""
    a, b = _as_tuple(a), _as_tuple(b)
    diff = max(abs(u - v) for u, v in zip(a, b, strict=True))
    if diff == 0:
        return math.inf
    return -math.log10(float(diff / scale)) if diff / scale < 10**300 else -300.0


def _scale(values, floor) -> Fraction:
    s = max((abs(v) for vec in values for v in _as_tuple(vec)), default=Fraction(0))
    return max(s, Fraction(floor))


def _show(value):
    v = _as_tuple(value)
    return [float(u) for u in v] if len(v) > 1 or isinstance(value, (tuple, list)) else float(v[0])


@_rule
def exact_equal(name: str, got, expected) -> Outcome:
    """``identity``: exact equality (Fractions, tuples of them, sympy expressions or matrices,
    booleans)."""
    if isinstance(got, bool) or isinstance(expected, bool):
        if got == expected:
            return Outcome("pass", 0.0)
        return Outcome("fail", None, {"quantity": name, "got": got, "expected": expected})
    if isinstance(got, sp.MatrixBase) or isinstance(expected, sp.MatrixBase):
        a, b = sp.Matrix(got), sp.Matrix(expected)
        if a.shape == b.shape and (a - b).applyfunc(sp.simplify).is_zero_matrix:
            return Outcome("pass", 0.0)
        return Outcome("fail", None, {"quantity": name, "got": str(got),
                                      "expected": str(expected)})
    if isinstance(got, sp.Basic) or isinstance(expected, sp.Basic):
        diff = sp.simplify(sp.sympify(got) - sp.sympify(expected))
        if diff == 0:
            return Outcome("pass", 0.0)
        if diff.is_zero is None and diff.free_symbols:
            return Outcome("undecided", None, {"quantity": name, "reason":
                                               f"sympy cannot decide {diff} == 0"})
        return Outcome("fail", _abs_float(diff), {"quantity": name, "got": str(got),
                                                  "expected": str(expected)})
    g, e = _as_tuple(got), _as_tuple(expected)
    if len(g) != len(e):
        return Outcome("fail", None, {"quantity": name, "got": [str(v) for v in g],
                                      "expected": [str(v) for v in e],
                                      "reason": "lengths differ"})
    if g == e:
        return Outcome("pass", 0.0)
    err = max(abs(u - v) for u, v in zip(g, e, strict=True))
    return Outcome("fail", float(err), {"quantity": name, "got": [str(v) for v in g],
                                        "expected": [str(v) for v in e]})


def _abs_float(expr) -> float | None:
    try:
        return abs(float(sp.N(expr, 20)))
    except (TypeError, ValueError):
        return None


@_rule
def exact_at_least(name: str, value, bound) -> Outcome:
    """``lower`` (or ``upper`` with the sides swapped): exact ``value >= bound``."""
    v, b = to_fraction(value), to_fraction(bound)
    margin = v - b
    if margin >= 0:
        return Outcome("pass", 0.0)
    return Outcome("fail", float(-margin), {"quantity": name, "value": str(v), "bound": str(b),
                                            "violation": float(-margin)})


@_rule
def two_precision_equal(name: str, theory_value, low, high, *, floor=Fraction(1, 10**12),
                        labels=("low", "high"), cap: float | None = None) -> Outcome:
    """``equality``: the theory value agrees with the digits two precisions share.

    Parameters
    ----------
    theory_value : exact number (Fraction or sympy) or tuple of them
    low, high : the experiment at the lower and the higher precision (numbers or tuples)
    floor : the smallest scale used for relative digits (so that values near zero are compared
        absolutely at that scale)
    cap : the most digits the experiment can vouch for whatever the agreement (when both
        "precisions" share an arithmetic, e.g. two float64 runs, their agreement is capped by
        that arithmetic's accumulated rounding)

    Returns
    -------
    Outcome
        With ``D`` the digits ``low`` and ``high`` agree on (at most ``cap``) and ``Dt`` the
        digits theory agrees with ``high`` on: ``undecided`` when ``D < MIN_DIGITS``; ``fail``
        when ``Dt < D - 2``; ``pass`` when ``min(D, Dt) >= MIN_EQUAL_DIGITS``; otherwise
        ``undecided`` with the reason ``"undecided (resolution D digits): ..."``.
    """
    t = _as_tuple(theory_value)
    lo, hi = _as_tuple(low), _as_tuple(high)
    scale = _scale([t, hi], floor)
    D = digits_between(lo, hi, scale)
    if cap is not None:
        D = min(D, cap)
    Dt = digits_between(t, hi, scale)
    err = float(max(abs(u - v) for u, v in zip(t, hi, strict=True)))
    detail = {"quantity": name, "theory": _show(theory_value), labels[0]: _show(low),
              labels[1]: _show(high), "agreed_digits": _digits(D), "theory_digits": _digits(Dt)}
    if D < MIN_DIGITS:
        detail["reason"] = (f"undecided (resolution {_digits(D)} digits): the two precisions "
                            f"agree on fewer than {MIN_DIGITS} digits")
        return Outcome("undecided", err, detail)
    if Dt < D - 2:
        return Outcome("fail", err, detail)
    if min(D, Dt) >= MIN_EQUAL_DIGITS:
        return Outcome("pass", err, detail)
    detail["reason"] = (f"undecided (resolution {_digits(D)} digits): theory and numerics "
                        f"agree on {_digits(min(D, Dt))} digits the numerics vouch for; "
                        f"a pass needs {MIN_EQUAL_DIGITS}")
    return Outcome("undecided", err, detail)


@_rule
def two_precision_at_least(name: str, margin_low, margin_high, scale, *,
                           labels=("low", "high")) -> Outcome:
    """One-sided numerical test of ``margin >= 0`` with certified slack from two precisions.

    The slack is ten times the two runs' disagreement (the lower precision's error estimate,
    conservative for the higher one), plus ``1e-25`` of ``scale``. Pass: the high-precision
    margin is ``>= -slack`` and either the runs agree on ``MIN_DIGITS`` digits or the margin
    exceeds the slack (its sign is then certain). Fail: both margins are negative and the high
    one is below ``-slack``. Otherwise undecided.
    """
    ml, mh = to_fraction(margin_low), to_fraction(margin_high)
    sc = max(to_fraction(scale), Fraction(1, 10**30))
    D = digits_between(ml, mh, sc)
    slack = 10 * abs(ml - mh) + sc / 10**25
    detail = {"quantity": name, f"margin_{labels[0]}": float(ml),
              f"margin_{labels[1]}": float(mh), "agreed_digits": _digits(D),
              "slack": float(slack)}
    if mh >= -slack and (D >= MIN_DIGITS or mh >= slack):
        return Outcome("pass", float(max(Fraction(0), -mh)), detail)
    if mh < -slack and ml < 0:
        return Outcome("fail", float(-mh), detail)
    detail["reason"] = "the margin is within the precisions' disagreement"
    return Outcome("undecided", float(-mh), detail)


@_rule
def two_precision_residual(name: str, errors: dict, steps: int, *,
                           detail: dict | None = None) -> Outcome:
    """``equality`` for a residual that must vanish: an identity along a computed trajectory.

    ``errors`` maps each precision ``p`` (decimal digits) to the relative residual of the
    identity computed at that precision after ``steps`` operations. Pass: every residual is
    ``<= (steps + 1) 10^-(p - 6)`` (rounding of ``steps`` operations at ``p`` digits, with six
    digits of headroom) and ``<= 10^-MIN_EQUAL_DIGITS`` (the identity holds to at least six
    digits, as for :func:`two_precision_equal`). Fail: every residual is ``> 10^-(p // 2)``
    (half the digits lost at every precision: a property of the mathematics, not of the
    arithmetic). Otherwise ``undecided (resolution D digits)``, ``D`` the digits the
    residual at the highest precision leaves.
    """
    detail = dict(detail or {})
    detail["quantity"] = name
    verdicts = []
    floor = Fraction(1, 10**MIN_EQUAL_DIGITS)
    for p, err in errors.items():
        err = to_fraction(err)
        detail[f"relative_error_{p}_digits"] = float(err)
        verdicts.append("pass" if err <= min((steps + 1) * Fraction(10) ** -(p - 6), floor)
                        else "fail" if err > Fraction(10) ** -(p // 2) else "?")
    top = to_fraction(errors[max(errors)])
    error = float(top)
    if all(v == "pass" for v in verdicts):
        return Outcome("pass", error, detail)
    if all(v == "fail" for v in verdicts):
        return Outcome("fail", error, detail)
    D = math.inf if top == 0 else -math.log10(float(top))
    detail["reason"] = (f"undecided (resolution {_digits(D)} digits): the residual is "
                        "between the pass and fail tolerances")
    return Outcome("undecided", error, detail)


@_rule
def procedure(name: str, ok: bool, error: float | None = None, detail: dict | None = None
              ) -> Outcome:
    """``qualitative``: the verdict of a documented decision procedure (the check's docstring
    states it). ``ok`` is the procedure's verdict on the instance; ``error`` and ``detail``
    are reported."""
    return Outcome("pass" if ok else "fail", error, {"quantity": name, **(detail or {})})


def _digits(D: float):
    return "all" if D == math.inf else round(D, 1)


#: each rule in words: what an instance passing it has shown
RULE_TEXT = {
    "exact_equal": "exact equality (Fractions, or sympy.simplify of the difference is 0)",
    "exact_at_least": "exact one-sided bound (margin >= 0 in exact arithmetic)",
    "two_precision_equal": f"theory and numerics agree on >= {MIN_EQUAL_DIGITS} digits that "
                           "two precisions vouch for (D agreed digits; theory matches the "
                           f"higher one to D - 2; fewer than {MIN_EQUAL_DIGITS}: undecided)",
    "two_precision_at_least": "one-sided with certified slack: margin >= -slack, slack = 10 x "
                              "the two precisions' disagreement",
    "two_precision_residual": "the residual is within (steps + 1) 10^-(p - 6) and "
                              f"10^-{MIN_EQUAL_DIGITS} at every precision p",
    "procedure": "the decision procedure stated in the check's docstring",
    CUSTOM: "an outcome the check built itself (see its docstring)",
}
_EXACT_RULES = frozenset({"exact_equal", "exact_at_least"})


def _parts(detail) -> list:
    """Every dict of a (possibly combined) outcome's detail."""
    if not isinstance(detail, dict):
        return []
    out = [detail]
    for part in detail.get("parts", ()):
        out += _parts(part)
    return out


def _as_digits(value) -> float | None:
    if value == "all":
        return math.inf
    return float(value) if isinstance(value, int | float) else None


def evidence(outcome: Outcome) -> dict:
    """What decided one outcome, in numbers: ``rules`` (sorted names), ``exact`` (decided by
    exact rules alone), ``agreed_digits`` and ``theory_digits`` (the least over its parts:
    digits two precisions share, and theory's agreement with the higher one; ``inf`` for all
    digits), ``slack`` (the largest one-sided slack) and ``residual`` (precision in digits ->
    the largest relative residual). Absent numbers are ``None``."""
    ev = {"rules": sorted(outcome.decided_by), "exact": outcome.decided_by <= _EXACT_RULES,
          "agreed_digits": None, "theory_digits": None, "slack": None, "residual": {}}
    for part in _parts(outcome.detail):
        for key in ("agreed_digits", "theory_digits"):
            d = _as_digits(part.get(key))
            if d is not None:
                ev[key] = d if ev[key] is None else min(ev[key], d)
        if isinstance(part.get("slack"), float):
            ev["slack"] = max(ev["slack"] or 0.0, part["slack"])
        for key, value in part.items():
            if key.startswith("relative_error_") and key.endswith("_digits"):
                p = key[len("relative_error_"):-len("_digits")]
                ev["residual"][p] = max(ev["residual"].get(p, 0.0), float(value))
    return ev


def weakest(evidences) -> dict | None:
    """The weakest of several :func:`evidence` records (the least digits, the largest slack
    and residuals, the union of rules); ``None`` for none."""
    evidences = list(evidences)
    if not evidences:
        return None
    out = {"rules": sorted(set().union(*(e["rules"] for e in evidences))),
           "exact": all(e["exact"] for e in evidences), "agreed_digits": None,
           "theory_digits": None, "slack": None, "residual": {}}
    for e in evidences:
        for key in ("agreed_digits", "theory_digits"):
            if e[key] is not None:
                out[key] = e[key] if out[key] is None else min(out[key], e[key])
        if e["slack"] is not None:
            out["slack"] = max(out["slack"] or 0.0, e["slack"])
        for p, r in e["residual"].items():
            out["residual"][p] = max(out["residual"].get(p, 0.0), r)
    return out


def evidence_text(ev: dict | None) -> str:
    """One line: ``exact``, or the digits agreed (and theory's), the slack, the residuals."""
    if ev is None:
        return "-"
    if ev["exact"]:
        return "exact"
    parts = []
    if ev["agreed_digits"] is not None:
        d = ev["agreed_digits"]
        parts.append("all digits agreed" if d == math.inf else f"{d:.1f} digits agreed")
        t = ev["theory_digits"]
        if t is not None:
            parts.append("theory to all" if t == math.inf else f"theory to {t:.1f}")
    if ev["slack"] is not None:
        parts.append(f"slack <= {ev['slack']:.0e}")
    if ev["residual"]:
        parts.append("residual " + ", ".join(f"{r:.0e} at {p} digits"
                                             for p, r in sorted(ev["residual"].items(),
                                                                key=lambda t: int(t[0]))))
    if not parts:
        parts.append("procedure" if "procedure" in ev["rules"] else "custom")
    if _EXACT_RULES & set(ev["rules"]):
        parts.append("exact parts")
    return ", ".join(parts)


def evidence_json(ev: dict | None) -> dict | None:
    """:func:`evidence` as JSON (``inf`` digits as ``"all"``), with :func:`evidence_text`."""
    if ev is None:
        return None
    fix = {k: ("all" if v == math.inf else v) for k, v in ev.items()}
    fix["text"] = evidence_text(ev)
    return fix

