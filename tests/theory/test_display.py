"""Values shown to people: error messages and result reprs read as mathematics, and stay short.

Expected texts are written by hand (the mathematics of the value), never produced by the code
under test.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

import theory as T
from theory._display import show
from theory.errors import DomainError

SHOWN = [  # (value, text)
    (F(3, 10), "3/10"),
    (F(-7, 2), "-7/2"),
    (5, "5"),
    (np.float64(2.5), "2.5"),
    (np.int64(7), "7"),
    (np.float32(0.5), "0.5"),
    ((F(1, 2), np.float64(0.25)), "(1/2, 0.25)"),
    ([F(1, 3), 2], "[1/3, 2]"),
    ((F(1, 2),), "(1/2,)"),
    (np.array([1.5, 2.0]), "[1.5, 2.0]"),
    (sp.Rational(1, 3) + sp.sqrt(2), "1/3 + sqrt(2)"),
    ("1,2,3", "'1,2,3'"),
    (None, "None"),
    (True, "True"),
    (tuple(F(1, k) for k in range(1, 2001)), "(1, 1/2, 1/3, ..., 1/2000) [2000 entries]"),
    (np.arange(1000), "[0, 1, 2, ..., 999] [1000 entries]"),
    (sp.zeros(30, 30), "Matrix(30 x 30)"),
    (F(10**200 + 1, 3), "3.33333e+199 (rounded; exact: about 201 digits)"),
    (10**5000, "1.00000e+5000 (rounded; exact: about 5001 digits)"),
]


@pytest.mark.parametrize("value, text", SHOWN, ids=[t for _, t in SHOWN])
def test_show(value, text):
    assert show(value) == text


def test_long_text_is_elided_with_its_length():
    expr = sum(sp.Symbol(f"x{i}") ** 2 for i in range(100))
    text = show(expr)
    full = str(expr)
    assert len(text) <= 100 and "..." in text and f"[{len(full)} characters]" in text
    assert text.startswith(full[:20]) and text.split(" [")[0].endswith(full[-5:])


@pytest.mark.parametrize("value, text", [
    (F(3, 10), "eta_max = 3/10: eta_max >= eta_min is required"),
    (np.float64(0.3), "eta_max = 0.3: eta_max >= eta_min is required"),
    ((np.float64(0.3), F(1, 7)), "eta_max = (0.3, 1/7): eta_max >= eta_min is required"),
])
def test_domain_error_shows_mathematics(value, text):
    assert str(DomainError("eta_max", value, "eta_max >= eta_min is required")) == text


def test_domain_error_of_a_huge_vector_is_one_short_line():
    message = str(DomainError("x", [F(1, 3)] * 10**5, "x > 0"))
    assert message == "x = [1/3, 1/3, 1/3, ..., 1/3] [100000 entries]: x > 0"


def test_numerics_error_shows_fractions():
    """The issue's case: ``eta_max = Fraction(3, 10)`` must read ``eta_max = 3/10``."""
    from numerics.sweep.api import eta_grid

    with pytest.raises(DomainError) as info:
        eta_grid(F(1, 2), F(3, 10), 5)
    assert str(info.value).startswith("eta_max = 3/10:") and "Fraction(" not in str(info.value)


# ------------------------------------------------------------------------- result reprs
def _x(d):
    return [F(1 + i % 7, 1 + i % 5) for i in range(d)]


#: result name -> its value for data ``x, y``
RESULTS = {
    "Interpolator": lambda x, y: T.min_norm_interpolator(x, y),
    "Thresholds": lambda x, y: T.stability_thresholds(x, y),
    "Prior": lambda x, y: T.uniform_prior(x, y),
    "BestLearningRate": lambda x, y: T.predicted_best_learning_rate(x, y),
    "BiasComparison": lambda x, y: T.bias_gaps(x, y),
    "ParetoFront": lambda x, y: T.pareto_front(x, y),
    "Bounds": lambda x, y: T.zero_loss_bounds(x, y),
    "EffectiveInitialisation": lambda x, y: T.effective_initialisation(
        x, F(1, 100), F(1, 100), [F(-1), F(-1, 2)]),
}


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_reprs_stay_short_in_high_dimension(name):
    """d = 120: the dataclasses' own reprs print kilobytes; these stay a few lines."""
    obj = RESULTS[name](_x(120), 1)
    assert type(obj).__name__ == name
    text = repr(obj)
    assert len(text) < 700, (name, len(text))
    assert "\n" not in text and "Fraction(" not in text
    for f in dataclasses.fields(obj):
        if not f.name.startswith("_"):
            assert f"{f.name}=" in text


def test_small_reprs_are_the_mathematics():
    x, y = [1, "1/2"], 1
    assert repr(T.stability_thresholds(x, y)) == (
        "Thresholds(eta_min_norm_unstable=1/2, eta_no_stable_interpolator=1)")
    assert repr(T.min_norm_interpolator(x, y)) == (
        "Interpolator(beta=(1, 0), vertices=((1, 0),), l1_norm=1, param_norm_sq=1, "
        "sharpness=4, claim='R2')")
    assert repr(T.zero_loss_bounds(x, y)) == "Bounds(sharpness=(2, 4), l1_norm=(1, 2))"


def test_gradient_flow_limit_repr_is_short():
    """The issue's example: GradientFlowLimit printed its proved bounds as 139-digit fractions
    and its private data; now each field is one short value."""
    g = T.gradient_flow_limit([1, "1/2"], 1, "1/100")
    text = repr(g)
    assert len(text) < 600 and "_data" not in text
    assert "lam_bounds=(9.20534 (rounded" in text  # lambda = 9.2053... (README: eta_c)
    assert "exact=True" in text and "eta_c=2/(160001/40000 - sqrt(160001)/40000)" in text
