"""``proofs_check.predictions``: what theory predicts for an instance, built once.

The predictions are checked against independent routes: hand-derived closed forms of the
default instance, theory's own functions called directly (one view must equal the other), and,
off the paper's model, the flow computed by hand for orthogonal samples. Moved here with
``predictions`` from ``numerics.sweep`` (tests/numerics/test_sweep.py).
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy as sp

import theory as T
from numerics.problem import Problem
from proofs_check import predictions as P
from proofs_check.predictions import predict, predict_one_sample

F = Fraction
X, Y, ALPHA = [1, F(1, 2)], 1, F(1, 100)
CENTROID = [F(1, 2), F(1)]
SWEEP_KEYS = ["one_sample_theory", "beta_gf", "s_gf", "eta_c", "s_gf_at_end", "eta_path",
              "eta_plateau",
              "eta_min_norm_unstable", "eta_no_stable_interpolator", "min_norm",
              "min_sharpness", "point", "uniform", "mu", "cov_term", "notes"]


def test_flow_prediction_errors_become_notes_and_bugs_propagate(monkeypatch):
    """A product-parametrised problem takes eta_c from numerics.flow; a documented failure of
    the flow (NoConvergence) is a note, anything else is a bug and is raised."""
    from numerics.errors import NoConvergence

    problem = Problem([[1, 0], [0, 1]], [1, 1], "1/10", param="product")

    def fails(*args, **kwargs):
        raise NoConvergence("the gradient-flow ODE", "raise the precision")

    monkeypatch.setattr(P, "gradient_flow", fails)
    pred = predict(problem).for_sweep()
    assert pred["eta_c"] is None and any("not available" in n for n in pred["notes"])

    def buggy(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(P, "gradient_flow", buggy)
    with pytest.raises(TypeError, match="a bug"):
        predict(problem)


def test_flow_prediction_for_two_samples_is_the_flow_limit():
    """Two orthogonal samples, product parametrisation (E3): each coordinate is its own flow,
    ``beta_i = -a^2 sinh(2 s_i) -> y_i = 1`` and ``|J_i|^2 = 2 a^2 cosh(2 s_i)``, so the limit's
    sharpness is ``(1/n) max_i |J_i|^2 = sqrt(a^4 + 1)`` (a = 1/10: sqrt(1.0001)), the path's
    largest (its start has S(0) = (2 a^2 + sqrt(4 a^4 + 4)) / 4 = 0.505...)."""
    problem = Problem([[1, 0], [0, 1]], [1, 1], "1/10", param="product")
    pred = predict(problem).for_sweep()
    assert pred["one_sample_theory"] is False
    assert [float(b) for b in pred["beta_gf"]] == pytest.approx([1.0, 1.0], rel=1e-12)
    assert float(pred["s_gf"]) == pytest.approx(math.sqrt(1.0001), rel=1e-14)
    assert pred["s_gf_at_end"] is True
    assert float(pred["eta_c"]) == pytest.approx(2 / float(pred["s_gf"]), rel=1e-15)


def test_sweep_view_of_the_default_instance_by_hand():
    """x = (1, 1/2), y = 1: beta^N = (1, 0) with S = 4, beta^S = (0, 2) with S = 2, thresholds
    1/4 and 1/2... times 2 y: 1/(2 y x_max) = 1/2, 1/(2 y x_min) = 1; the uniform prior's mean is
    the centroid (1/2, 1), S(mu) = 4 (1/2 + 1/4) = 3, eta* = 2/3; its covariance is that of the
    uniform law on the segment: tr Cov = (1 + 4) / 12 = 5/12."""
    pred = predict(Problem(X, Y, ALPHA, beta_star=CENTROID)).for_sweep()
    assert list(pred) == SWEEP_KEYS
    assert pred["one_sample_theory"] is True
    assert pred["min_norm"] == {"beta": (1, 0), "l1_norm": 1, "sharpness": 4}
    assert pred["min_sharpness"] == {"beta": (0, 2), "l1_norm": 2, "sharpness": 2}
    assert (pred["eta_min_norm_unstable"], pred["eta_no_stable_interpolator"]) == (F(1, 2), 1)
    assert pred["mu"] == (F(1, 2), 1) and pred["cov_term"] == F(5, 12)
    assert pred["uniform"]["eta_star"] == F(2, 3) and pred["point"]["eta_star"] == F(2, 3)
    assert pred["uniform"]["prior"] != pred["point"]["prior"]
    # R6: the exact eta_c from theory, to the 45 digits the sweep keeps
    eta_c = T.gradient_flow_limit(X, Y, ALPHA).eta_c
    assert abs(pred["eta_c"] - F(str(sp.N(eta_c, 60)))) < F(1, 10**40)
    assert pred["s_gf_at_end"] is True and pred["notes"] == []


def test_without_a_ground_truth_there_is_no_point_prior():
    pred = predict(Problem(X, Y, ALPHA)).for_sweep()
    assert pred["point"] is None and pred["uniform"] is not None


def test_blocks_are_theorys_exact_values():
    """The interpolators view is theory's own objects, unrounded."""
    b = predict_one_sample(X, Y, ALPHA, CENTROID).blocks()
    assert list(b) == ["min_norm", "min_sharpness", "thresholds", "gradient_flow", "optimal",
                       "_prior", "_notes"]
    n = T.min_norm_interpolator(X, Y)
    assert b["min_norm"] == {"beta": n.beta, "l1_norm": n.l1_norm,
                             "param_norm_sq": n.param_norm_sq, "sharpness": n.sharpness}
    g = T.gradient_flow_limit(X, Y, ALPHA)
    assert b["gradient_flow"] == {"beta": g.beta, "sharpness": g.sharpness, "eta_c": g.eta_c,
                                  "l1_norm": g.l1_norm}
    point = T.point_prior(CENTROID)
    gaps = T.bias_gaps(X, Y, point)
    assert b["optimal"]["beta"] == gaps.optimal and b["_prior"] == point.name
    assert b["optimal"]["eta_star"] == T.predicted_best_learning_rate(X, Y, point, ALPHA).eta_star
    assert b["_notes"] == {"faces": False, "neither_optimal": gaps.neither_optimal,
                           "eta_star_inside": True}


def test_blocks_default_to_the_point_prior_and_offer_the_uniform_one():
    pred = predict_one_sample(X, Y, ALPHA, CENTROID)
    uniform = T.uniform_prior(X, Y)
    assert pred.blocks(prior="uniform")["_prior"] == uniform.name
    assert pred.blocks()["_prior"] == T.point_prior(CENTROID).name
    assert predict_one_sample(X, Y).blocks()["_prior"] == uniform.name


def test_blocks_without_alpha_have_no_gradient_flow_and_faces_with_ties():
    b = predict_one_sample([1, 1], 2).blocks()
    assert "gradient_flow" not in b and b["_notes"]["faces"] is True


def test_the_two_views_of_one_prediction_agree():
    pred = predict(Problem(X, Y, ALPHA, beta_star=CENTROID))
    sweep, blocks = pred.for_sweep(), pred.blocks()
    for key in ("min_norm", "min_sharpness"):
        assert sweep[key]["sharpness"] == blocks[key]["sharpness"]
    assert sweep["point"]["eta_star"] == blocks["optimal"]["eta_star"]


@pytest.mark.parametrize("call,argument", [
    (lambda: predict(Problem([[1, 0], [0, 1]], [1, 1], "1/10", param="product")).blocks(),
     "problem"),
    (lambda: predict_one_sample(X, Y).blocks(prior="point"), "prior"),
    (lambda: predict_one_sample([1, -1], 1), "x"),
])
def test_bad_input_names_the_argument(call, argument):
    from theory.errors import DomainError

    with pytest.raises(DomainError) as info:
        call()
    assert info.value.argument.startswith(argument)


def test_n_samples_reference_interpolators_for_the_sweep():
    """Several samples: the sweep's min-norm block is the least l1 norm, checked against an
    independent LP (scipy's linprog on beta = p - q); the min-sharpness block's sharpness is
    at most the min-norm interpolator's; with beta* the point block's optimum is beta* itself
    (it interpolates), risk 0."""
    import numpy as np
    from scipy.optimize import linprog

    from proofs_check.predictions import _references

    X = [[1, 2, F(-1, 2)], [F(1, 3), -1, 1]]
    beta_star = [1, 0, -1]
    y = [sum(a * b for a, b in zip(r, beta_star)) for r in X]
    refs, notes = _references(Problem(X, y, F(1, 100), "product", beta_star=beta_star))
    A = np.array(X, dtype=float)
    lp = linprog(np.ones(6), A_eq=np.hstack([A, -A]), b_eq=np.array(y, dtype=float),
                 bounds=[(0, None)] * 6, method="highs")
    assert abs(float(refs["min_norm"]["l1_norm"]) - lp.fun) < 1e-9
    assert refs["min_sharpness"]["sharpness"] <= refs["min_norm"]["sharpness"]
    assert refs["point"]["risk_optimal"] == 0 and refs["point"]["optimal"] == tuple(beta_star)
    assert "numerics.interpolators" in notes[0]


def test_n_samples_references_skip_large_data_with_a_note():
    from proofs_check.predictions import MAX_REFERENCE_SIZE, _references

    d = MAX_REFERENCE_SIZE + 1
    refs, notes = _references(Problem([[1] * d], [1], F(1, 100), "product"))
    assert refs is None and f"n d = {d}" in notes[0]
