"""Validation of :class:`numerics.Problem` and of the arguments of the GD engine.

Every bad input must raise :class:`DomainError` (a ``ValueError``) whose message names the
argument; a raw numpy/Python exception is a defect.
"""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from numerics import DomainError, Problem, get_backend, gradient_descent
from numerics.problem import DEFAULT_INSTANCE, as_fraction

X2 = [1, F(1, 2)]
GOOD = dict(X=X2, y=1, alpha=F(1, 100))


def _make(**changes):
    kw = dict(GOOD)
    kw.update(changes)
    return Problem(**kw)


# (id, keyword changes, text the message must contain: the argument's name)
BAD_PROBLEMS = [
    ("X-3d", dict(X=np.ones((2, 2, 2))), "X"),
    ("X-string", dict(X="1,2"), "X"),
    ("X-empty", dict(X=[]), "d"),
    ("X-empty-rows", dict(X=[[]], y=[1]), "d"),
    ("d-1-vector", dict(X=[1]), "d"),
    ("d-1-matrix", dict(X=[[1], [2]], y=[1, 1]), "d"),
    ("x-nan", dict(X=[1, float("nan")]), "x[1]"),
    ("x-inf", dict(X=[float("inf"), 1]), "x[0]"),
    ("x-text", dict(X=[1, "abc"]), "x[1]"),
    ("x-bool", dict(X=[True, 1]), "x[0]"),
    ("X-nan", dict(X=[[1, 2], [3, float("nan")]], y=[1, 1]), "X[1]"),
    ("y-nan", dict(y=float("nan")), "y"),
    ("y-inf", dict(y=float("-inf")), "y"),
    ("y-too-many", dict(y=[1, 2]), "len(y)"),
    ("y-too-few", dict(X=[[1, 2], [3, 4]], y=[1]), "len(y)"),
    ("alpha-zero", dict(alpha=0), "alpha"),
    ("alpha-negative", dict(alpha=F(-1, 100)), "alpha"),
    ("alpha-nan", dict(alpha=float("nan")), "alpha"),
    ("alpha-inf", dict(alpha=math.inf), "alpha"),
    ("alpha-bool", dict(alpha=True), "alpha"),
    ("param-unknown", dict(param="hadamard"), "param"),
    ("depth-1", dict(depth=1), "depth"),
    ("depth-0", dict(depth=0), "depth"),
    ("depth-float", dict(depth=2.0), "depth"),
    ("depth-bool", dict(depth=True), "depth"),
    ("depth-3-product", dict(depth=3, param="product"), "depth"),
    ("depth-3-difference", dict(depth=3, param="difference"), "depth"),
    ("Sigma-not-symmetric", dict(Sigma=[[1, 1], [0, 1]]), "Sigma"),
    ("Sigma-not-psd", dict(Sigma=[[1, 2], [2, 1]]), "Sigma"),
    ("Sigma-negative-diagonal", dict(Sigma=[[1, 0], [0, -1]]), "Sigma"),
    ("Sigma-wrong-shape", dict(Sigma=[[1, 0, 0], [0, 1, 0], [0, 0, 1]]), "Sigma"),
    ("Sigma-vector", dict(Sigma=[1, 1]), "Sigma"),
    ("Sigma-nan", dict(Sigma=[[1, 0], [0, float("nan")]]), "Sigma[1]"),
    ("sigma2-negative", dict(sigma2=-1), "sigma2"),
    ("sigma2-nan", dict(sigma2=float("nan")), "sigma2"),
    ("beta_star-short", dict(beta_star=[1]), "beta_star"),
    ("beta_star-long", dict(beta_star=[1, 2, 3]), "beta_star"),
    ("beta_star-nan", dict(beta_star=[1, float("nan")]), "beta_star[1]"),
    ("beta_star-scalar", dict(beta_star=1), "beta_star"),
]


@pytest.mark.parametrize("changes, name", [c[1:] for c in BAD_PROBLEMS],
                         ids=[c[0] for c in BAD_PROBLEMS])
def test_bad_problem_raises_domain_error_naming_the_argument(changes, name):
    with pytest.raises(DomainError) as info:
        _make(**changes)
    assert name in str(info.value)
    assert name.split("[")[0] in info.value.argument


def test_ragged_X_is_a_domain_error():
    with pytest.raises(DomainError) as info:
        Problem([[1, 2], [3]], [1, 1], F(1, 100))
    assert "X" in str(info.value)


def test_domain_error_is_a_value_error_with_fields():
    with pytest.raises(ValueError) as info:
        _make(alpha=-1)
    err = info.value
    assert err.argument == "alpha" and err.value == -1 and "alpha > 0" in err.required


# ----------------------------------------------------------------------------- good problems
def test_data_is_stored_exactly():
    p = Problem([0.1, "1/3"], "2/7", 0.01, beta_star=[F(1, 2), 1], sigma2=F(1, 4))
    assert p.x == (F(0.1), F(1, 3))  # a float keeps its exact binary value
    assert p.x[0] != F(1, 10)
    assert p.y == (F(2, 7),) and p.alpha == F(0.01)
    assert p.beta_star == (F(1, 2), F(1)) and p.sigma2 == F(1, 4)
    assert (p.n, p.d, p.k) == (1, 2, 1)


def test_shapes_and_parametrisations():
    X = [[1, 2, 3], [4, 5, 6]]
    for param, k in (("shared", 1), ("product", 2), ("difference", 2)):
        p = Problem(X, [1, 2], F(1, 10), param=param)
        assert (p.n, p.d, p.k) == (2, 3, k)
    with pytest.raises(DomainError, match="n"):
        Problem(X, [1, 2], 1).x  # noqa: B018  (.x is for one-sample problems only)
    p = Problem(np.array([[1.0, 0.5]]), np.array([1.0]), 0.01)
    assert p.X == ((F(1), F(1, 2)),) and p.y == (F(1),)
    assert Problem(X2, 1, 1, depth=3).depth == 3


def test_psd_sigma_accepted_and_key_is_exact():
    p = Problem(X2, 1, F(1, 100), Sigma=[[2, 1], [1, 2]], beta_star=[F(1, 2), 1])
    key = p.key()
    assert key["Sigma"] == [["2", "1"], ["1", "2"]] and key["alpha"] == "1/100"
    assert Problem(**DEFAULT_INSTANCE) == Problem(X2, 1, F(1, 100))


def test_as_fraction_refuses_non_rational_sympy():
    import sympy as sp

    assert as_fraction(sp.Rational(3, 7), "q") == F(3, 7)
    with pytest.raises(DomainError, match="q"):
        as_fraction(sp.sqrt(2), "q")


# ------------------------------------------------------------------ backend and engine arguments
P = Problem(**GOOD)

BAD_RUNS = [
    ("mpmath-no-dps", dict(backend="mpmath"), "dps"),
    ("flint-no-dps", dict(backend="flint"), "dps"),
    ("dps-4", dict(backend="flint", dps=4), "dps"),
    ("dps-4-mpmath", dict(backend="mpmath", dps=4), "dps"),
    ("dps-fractional", dict(backend="mpmath", dps=4.5), "dps"),
    ("dps-nan", dict(backend="flint", dps=math.nan), "dps"),
    ("dps-bool", dict(backend="flint", dps=True), "dps"),
    ("float64-with-dps-30", dict(backend="float64", dps=30), "dps"),
    ("backend-unknown", dict(backend="quad"), "backend"),
    ("eta-zero", dict(eta=0), "eta"),
    ("eta-negative", dict(eta=-F(1, 2)), "eta"),
    ("eta-nan", dict(eta=math.nan), "eta"),
    ("eta-inf", dict(eta=math.inf), "eta"),
    ("eta-text", dict(eta="fast"), "eta"),
    ("steps-negative", dict(steps=-1), "steps"),
    ("steps-float", dict(steps=2.5), "steps"),
    ("steps-bool", dict(steps=True), "steps"),
    ("tol-zero", dict(tol=0), "tol"),
    ("patience-zero", dict(patience=0), "patience"),
    ("average_last-too-long", dict(average_last=11), "average_last"),
    ("decay_to-above-1", dict(decay_steps=5, decay_to=2), "decay_to"),
    ("decay_to-zero", dict(decay_steps=5, decay_to=0), "decay_to"),
    ("decay_steps-negative", dict(decay_steps=-1), "decay_steps"),
    ("record_every-zero", dict(record_every=0), "record_every"),
]


@pytest.mark.parametrize("changes, name", [c[1:] for c in BAD_RUNS], ids=[c[0] for c in BAD_RUNS])
def test_bad_engine_arguments(changes, name):
    kw = dict(eta=F(1, 2), steps=10)
    kw.update(changes)
    eta, steps = kw.pop("eta"), kw.pop("steps")
    with pytest.raises(DomainError) as info:
        gradient_descent(P, eta, steps, **kw)
    assert name in str(info.value)


def test_get_backend_precision_is_what_was_asked():
    assert get_backend("float64").prec == 53
    assert get_backend("mpmath", 30).dps == 30
    be = get_backend("flint", 30)
    assert be.dps == 30 and 10 ** -30 >= 2.0 ** -be.prec > 10 ** -32
