"""Which instances each check is stated on: its domain as conditions that can be tested.

A check's domain is a hypothesis strategy (:class:`proofs_check.claim.Check`): good for
drawing instances, silent on whether a given one belongs. To check a claim on *your* instance
(:func:`proofs_check.verify.verify_instance`) each check's domain is also written here as
:class:`Domain`: the fields the check needs (``eta``, ``beta_star``, ``theta``) and the
conditions it is stated under, each in words. A check is run on an instance only inside its
domain; outside, the report says which condition failed and quotes the claim's domain.

The conditions are those of the mathematics and of the claim's stated domain (signs,
parametrisation, dimension ranges, a point on ``M``, R9's restricted rates and scales), not the
ranges a strategy happens to draw numbers from (entries in ``[1/8, 4]``, small denominators).
``tests/proofs_check/test_domains.py`` draws from every check's strategy and checks that its
:class:`Domain` admits every instance drawn (the table cannot be narrower than the search).

A room may declare its checks' domains itself (``Check.admits``); :data:`DOMAINS` covers the
registered claims until they do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Condition", "Domain", "DOMAINS", "domain_of", "FIELDS"]

F = Fraction

#: the fields a check may need, with what they are
FIELDS = {"eta": "a learning rate", "beta_star": "a point of the zero-loss set M",
          "theta": "a parameter point (w, or u and v)"}


@dataclass(frozen=True)
class Condition:
    """One condition of a domain: ``holds(instance) -> bool`` and its statement in words.

    ``uses`` names the optional fields the test reads: it is evaluated only when they are
    given (a missing field is reported as needed, not as a failed condition)."""

    text: str
    holds: Callable
    uses: tuple = ()


@dataclass(frozen=True)
class Domain:
    """A check's domain: the fields it needs and its conditions (in order; cheap ones first).

    ``transformed``: the check judges a metamorphic pair (:class:`~proofs_check.instances.
    Transformed`) built from the instance."""

    needs: tuple
    conditions: tuple
    transformed: bool = False

    @property
    def text(self) -> str:
        needs = [f"{f} given" for f in self.needs]
        return "; ".join(needs + [c.text for c in self.conditions])

    def missing(self, instance) -> list:
        """The needed fields the instance does not give."""
        return [f for f in self.needs if getattr(instance, f, None) is None]

    def violated(self, instance) -> Condition | None:
        """The first condition the instance fails (``None``: inside the domain). Conditions on
        a missing field are skipped."""
        for c in self.conditions:
            if any(getattr(instance, f, None) is None for f in c.uses):
                continue
            try:
                ok = bool(c.holds(instance))
            except (ArithmeticError, ValueError, TypeError, IndexError):
                ok = False  # e.g. x_min = 0 in a ratio: not an instance of the condition
            if not ok:
                return c
        return None


# --------------------------------------------------------------------------- conditions
def _cond(text, holds, *uses) -> Condition:
    return Condition(text, holds, tuple(uses))


def _x_min(i):
    return min(i.x)


def _x_max(i):
    return max(i.x)


ONE_SAMPLE = _cond("one sample (n = 1)", lambda i: i.n == 1)
SHARED = _cond("the shared parametrisation beta = w*w", lambda i: i.param == "shared")
X_POS = _cond("x > 0", lambda i: min(i.x) > 0)
Y_POS = _cond("y > 0", lambda i: i.y > 0)
ALPHA_POS = _cond("alpha > 0", lambda i: i.alpha > 0)
GENERAL = _cond("the product or difference parametrisation",
                lambda i: i.param in ("product", "difference"))


def _d(lo: int, hi: int) -> Condition:
    text = f"d = {lo}" if lo == hi else f"d = {lo}..{hi}"
    return _cond(text, lambda i: lo <= i.d <= hi)


def _n(lo: int, hi: int) -> Condition:
    return _cond(f"n = {lo}..{hi} samples", lambda i: lo <= i.n <= hi)


def _one(lo: int, hi: int) -> tuple:
    """The paper's model on one sample: ``x > 0``, ``y > 0``, ``d = lo..hi``."""
    return (ONE_SAMPLE, SHARED, X_POS, Y_POS, _d(lo, hi))


def _on_M(i) -> bool:
    from .references import on_M

    return len(i.beta_star) == i.d and on_M(i.x, i.y, i.beta_star)


ON_M = _cond("beta_star on M = {beta >= 0 : <x, beta> = y}", _on_M, "beta_star")
ETA_POS = _cond("eta > 0", lambda i: i.eta > 0, "eta")
ETA_R5 = _cond("eta <= 1.1/(2 y x_min)", lambda i: i.eta <= F(11, 10) / (2 * i.y * _x_min(i)),
               "eta")
ETA_STABLE = _cond("eta <= 1/(2 y x_min) (some interpolator is stable)",
                   lambda i: i.eta <= 1 / (2 * i.y * _x_min(i)), "eta")


def _factors(i) -> list:
    r0 = i.alpha ** 2 * sum(i.x) - i.y
    return [1 - 2 * i.eta * r0 * xi for xi in i.x]


ETA_R7 = _cond("eta <= 1.1/(2 y x_min), or eta = 1/(2 r_0 x_i) (a dead factor)",
               lambda i: i.eta <= F(11, 10) / (2 * i.y * _x_min(i)) or 0 in _factors(i), "eta")
DEAD_FACTOR = _cond("a first-step factor 1 - 2 eta r_0 x_i is exactly zero (r_0 = alpha^2 "
                    "sum x - y)", lambda i: 0 in _factors(i), "eta")
NO_DEAD_FACTOR = _cond("no first-step factor 1 - 2 eta r_0 x_i is exactly zero",
                       lambda i: 0 not in _factors(i), "eta")
ALPHA_FLOW = _cond("1e-12 <= alpha <= 1/2", lambda i: F(1, 10**12) <= i.alpha <= F(1, 2))
THETA_SHAPE = _cond("theta: one vector w of length d (shared), or u and v (product, "
                    "difference)", lambda i: _theta_shape(i), "theta")


def _theta_shape(i) -> bool:
    blocks = 1 if i.param == "shared" else 2
    return len(i.theta) == blocks and all(len(t) == i.d for t in i.theta)


def _beta_of_theta(i) -> tuple:
    from theory.parametrisations import parametrisation

    P = parametrisation(i.param)
    return tuple(P.beta(t) for t in zip(*i.theta, strict=True))


def _zero_loss(i) -> bool:
    b = _beta_of_theta(i)
    return all(sum(F(a) * F(c) for a, c in zip(row, b, strict=True)) == F(y)
               for row, y in zip(i.X, i.ys, strict=True))


ZERO_LOSS = _cond("zero loss at theta: y = X beta(theta)", _zero_loss, "theta")


def _r9_numerics_rate(i) -> bool:
    from .references import gf_limit_reference, r9_top, sharpness_on_M

    eta_c = 2 / sharpness_on_M(i.x, gf_limit_reference(i.x, i.y, i.alpha, 20))
    # (the strategy rounds its rates to denominators <= 10^6)
    return i.eta <= F(9, 10) * eta_c + F(1, 10**6) or eta_c < i.eta <= r9_top(i.x, i.y)


def _ratio(lo: Fraction, hi: Fraction) -> Condition:
    return _cond(f"x_min/x_max in [{lo}, {hi}]",
                 lambda i: lo <= _x_min(i) / _x_max(i) <= hi)


R9_ALPHAS = (F(1, 1000), F(1, 100), F(1, 20))
ALPHA_R9 = _cond("alpha in {1/1000, 1/100, 1/20}", lambda i: i.alpha in R9_ALPHAS)
ETA_R9 = _cond("eta <= 0.9 eta_c, or eta_c < eta <= r9_top = min(0.9/(2 y x_min), "
               "1.5/(2 y x_max))", _r9_numerics_rate, "eta")
ETA_EOS = _cond("1/(2 y x_max) <= eta <= 1/(2 y x_min)",
                lambda i: 1 / (2 * i.y * _x_max(i)) <= i.eta <= 1 / (2 * i.y * _x_min(i)),
                "eta")
DISTINCT = _cond("distinct entries of x", lambda i: len(set(i.x)) == i.d)
R0_NONPOSITIVE = _cond("alpha^2 sum x <= y (r(0) <= 0)",
                       lambda i: i.alpha ** 2 * sum(i.x) <= i.y)
ALPHA_QUARTER = _cond("1/100 <= alpha <= 1/4", lambda i: F(1, 100) <= i.alpha <= F(1, 4))
DIFFERENCE = _cond("the difference parametrisation", lambda i: i.param == "difference")
PRODUCT = _cond("the product parametrisation", lambda i: i.param == "product")
ALPHA_E4 = _cond("alpha in {1/10, 1/5, 1/2, 1}",
                 lambda i: i.alpha in (F(1, 10), F(1, 5), F(1, 2), F(1)))
Y_NONZERO = _cond("y not all zero", lambda i: any(v != 0 for v in i.ys))
X_NONZERO = _cond("x not all zero", lambda i: any(v != 0 for v in i.X[0]))
UNDERDETERMINED = _cond("d > n", lambda i: i.d > i.n)
E5_SIGNS = _cond("x > 0 and y > 0 for the shared parametrisation",
                 lambda i: i.param != "shared" or (min(i.x) > 0 and i.y > 0))


def _well_conditioned(i) -> bool:
    from .checks.general_networks import _well_conditioned as test

    return test(i)


WELL_CONDITIONED = _cond("det(X X^T) >= tr(X X^T)^n / 100", _well_conditioned)
ETA_E3 = _cond("1/20 <= eta <= 2", lambda i: F(1, 20) <= i.eta <= 2, "eta")


def _shared_point(lo: int, hi: int, *extra) -> Domain:
    return Domain(("theta",), _one(lo, hi) + (THETA_SHAPE,) + extra)


def _general_point(params: Condition, n_hi: int, d_hi: int, *extra) -> Domain:
    return Domain(("theta",), (params, _n(1, n_hi), _d(2, d_hi), THETA_SHAPE) + extra)


def _metamorphic(domain: Domain) -> Domain:
    return Domain(domain.needs, domain.conditions, transformed=True)


_R23 = {
    "exact": Domain((), _one(2, 8)),
    "bounds": Domain(("beta_star",), _one(2, 8) + (ON_M,)),
    "numerics": Domain((), _one(2, 8)),
    "metamorphic": _metamorphic(Domain((), _one(2, 8))),
}
_R5 = Domain(("eta", "beta_star"), _one(2, 6) + (ETA_POS, ETA_R5, ON_M))
_FLOW = Domain((), _one(2, 4) + (ALPHA_FLOW,))
_FLOW_POINT = Domain(("beta_star",), _one(2, 4) + (ALPHA_FLOW, ON_M))
_R7 = Domain(("eta",), _one(2, 6) + (ETA_POS, ETA_R7))
_U_SHAPE = Domain((), _one(2, 2) + (_ratio(F(1, 2), F(3, 4)), ALPHA_R9))

#: claim id -> check name -> its :class:`Domain`
DOMAINS: dict[str, dict[str, Domain]] = {
    "R1": {
        "exact": _shared_point(2, 5),
        "zero_loss": _shared_point(2, 6, ZERO_LOSS),
        "numerics": _shared_point(2, 6),
        "metamorphic": _metamorphic(_shared_point(2, 5)),
    },
    "R2": _R23,
    "R3": _R23,
    "R4": {
        "exact": Domain(("beta_star",), _one(2, 6) + (ON_M,)),
        "numerics": Domain(("beta_star",), _one(2, 6) + (ON_M,)),
        "metamorphic": _metamorphic(Domain((), _one(2, 8))),
    },
    "R5": {
        "exact": _R5,
        "least_norm_stable": Domain(_R5.needs, _R5.conditions + (ETA_STABLE,)),
        "numerics": _R5,
        "metamorphic": _metamorphic(Domain(("eta",), _one(2, 5) + (ETA_POS, ETA_R7))),
    },
    "R6": {
        "numerics": _FLOW,
        "potential": _FLOW_POINT,
        "first_order": _FLOW_POINT,
        "small_alpha": Domain((), _one(2, 4) + (ALPHA_POS,)),
        "flow": Domain((), _one(2, 2) + (ALPHA_QUARTER, R0_NONPOSITIVE)),
        "metamorphic": _metamorphic(_FLOW),
    },
    "R7": {
        "exact": _R7,
        "dead_factor": Domain(("eta",), _one(2, 6) + (ETA_POS, DEAD_FACTOR)),
        "numerics": Domain(("eta",), _R7.conditions + (NO_DEAD_FACTOR,)),
        "metamorphic": _R7,
        "tiny_coordinate": Domain(("eta",), _one(2, 5) + (ETA_POS, ETA_STABLE,
                                                          NO_DEAD_FACTOR)),
    },
    "R8": {
        "exact": Domain(("beta_star",), _one(2, 6) + (ON_M,)),
        "optimality": Domain(("beta_star",), _one(2, 5) + (_cond(
            "beta_star of length d", lambda i: len(i.beta_star) == i.d, "beta_star"),)),
        "numerics": _U_SHAPE,
    },
    "R9": {
        "exact": Domain(("eta",), _one(2, 2) + (DISTINCT, ETA_EOS)),
        "numerics": Domain(("eta",), _one(2, 2) + (_ratio(F(1, 2), F(9, 10)),
                                                           ALPHA_R9, ETA_POS, ETA_R9)),
        "u_shape": _U_SHAPE,
    },
    "E1": {
        "exact": _general_point(GENERAL, 2, 3),
        "numerics": _general_point(GENERAL, 3, 4, ZERO_LOSS),
    },
    "E2": {
        "exact": _general_point(PRODUCT, 3, 5),
        "numerics": _general_point(PRODUCT, 3, 4, ZERO_LOSS),
        "flattest": _general_point(PRODUCT, 3, 4, ZERO_LOSS),
    },
    "E3": {
        "exact": Domain(("eta",), (PRODUCT, _n(1, 3), _d(2, 4), ETA_E3)),
        "numerics": Domain(("eta",), (PRODUCT, _n(1, 3), _d(2, 4), ETA_POS)),
    },
    "E4": {
        "numerics": Domain((), (DIFFERENCE, _n(1, 2), _d(2, 4), ALPHA_E4, Y_NONZERO,
                                        WELL_CONDITIONED)),
        "potential": Domain((), (DIFFERENCE, _n(1, 2), _d(2, 4), ALPHA_E4, Y_NONZERO,
                                         UNDERDETERMINED)),
        "limits": Domain((), (DIFFERENCE, _n(1, 2), _d(2, 4), ALPHA_E4, Y_NONZERO)),
    },
    "E5": {
        "numerics": Domain((), (ONE_SAMPLE, _d(2, 4), E5_SIGNS, X_NONZERO,
                                        Y_NONZERO)),
    },
}


def domain_of(claim_id: str, check) -> Domain | None:
    """The :class:`Domain` of ``check`` (a :class:`~proofs_check.claim.Check`) of claim
    ``claim_id``: the check's own ``admits`` when it declares one, else :data:`DOMAINS`;
    ``None`` when neither knows it (a claim registered by a user)."""
    own = getattr(check, "admits", None)
    if own is not None:
        return own
    return DOMAINS.get(claim_id, {}).get(check.name)
