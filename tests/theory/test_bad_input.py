"""Bad input: one table ``(function, kwargs, exception, message substring, argument, claim)``.

Every error of :mod:`theory` must name the argument (``DomainError.argument`` and the message)
and, where it carries one, the claim whose statement needs the domain.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp

from theory import (
    DomainError,
    NotDecidable,
    bias_gaps,
    effective_initialisation,
    eos_interpolator,
    expected_risk,
    extreme_indices,
    gd_iterates,
    gd_product_identity,
    gd_step,
    gradient,
    gradient_flow_equation,
    gradient_flow_limit,
    gradient_flow_path,
    gradient_flow_potential,
    hessian,
    hessian_spectrum,
    is_linearly_stable,
    jacobian_eigenvalue,
    least_norm_stable_interpolator,
    min_norm_interpolator,
    min_sharpness_interpolator,
    norm_sharpness_identity,
    optimal_interpolator,
    pareto_front,
    point_prior,
    population_risk,
    predicted_best_learning_rate,
    residual,
    sharpness_along_flow,
    stability_thresholds,
    uniform_prior,
    zero_loss_bounds,
    zero_loss_sharpness,
    zero_loss_vertices,
)

X = (1, F(1, 2))  # the default instance
b_, c_ = sp.symbols("b c", positive=True)


def first_iterate(**kw):
    """The first element of the gd_iterates generator (where its validation runs today)."""
    return next(gd_iterates(**kw))


def pareto_l1_at(x, y, S):
    return pareto_front(x, y).l1_at(S)


def pareto_interpolator_at(x, y, S):
    return pareto_front(x, y).interpolator_at(S)


def _row(function, kwargs, exception, substring, argument, claim, *, marks=(), id=None):
    return pytest.param(function, kwargs, exception, substring, argument, claim, marks=marks,
                        id=id)



TABLE = [
    # --- wrong lengths and d < 2 ---
    _row(residual, dict(x=[1], y=1, w=[1]), DomainError, "d >= 2", "len(x)", "R1", id="d1-R1"),
    _row(hessian, dict(x=X, y=1, w=[1]), DomainError, "length d = 2", "len(w)", "R1",
         id="w-short"),
    _row(gradient, dict(x=X, y=1, w=[1, 2, 3]), DomainError, "length d = 2", "len(w)", "R1",
         id="w-long"),
    _row(zero_loss_sharpness, dict(x=X, y=1, beta=[1, 0, 0]), DomainError, "length d = 2",
         "len(beta)", "R1", id="beta-long"),
    _row(gd_step, dict(x=X, y=1, eta=F(1, 2), w=[1]), DomainError, "length d = 2", "len(w)",
         "R7", id="gd-w-short"),
    _row(min_norm_interpolator, dict(x=[1], y=1), DomainError, "d >= 2", "len(x)", "R2",
         id="d1-R2"),
    _row(gradient_flow_limit, dict(x=[1], y=1, alpha=F(1, 10)), DomainError, "d >= 2", "len(x)",
         "R6", id="d1-R6"),
    _row(point_prior, dict(beta_star=[1]), DomainError, "at least 2", "len(beta_star)", "R8",
         id="d1-R8"),
    _row(effective_initialisation, dict(x=[1], alpha=1, eta=1, residuals=[1]), DomainError,
         "at least 2", "len(x)", "R7", id="d1-R7"),
    _row(population_risk, dict(beta=[1, 0], beta_star=[1, 0, 0]), DomainError, "length d = 2",
         "len(beta_star)", "R8", id="risk-len"),
    _row(expected_risk, dict(beta=[1, 0, 0], prior=point_prior([1, 1])), DomainError,
         "length d = 3", "len(prior.mean)", "R8", id="prior-len"),
    _row(hessian, dict(x=5, y=1, w=[1, 1]), DomainError, "one-dimensional", "x", "R1",
         id="x-scalar"),
    _row(hessian, dict(x="12", y=1, w=[1, 1]), DomainError, "one-dimensional", "x", "R1",
         id="x-string"),
    _row(min_norm_interpolator, dict(x=sp.Matrix([[1, 2], [3, 4]]), y=1), DomainError,
         ("vector", "one-dimensional"), "x", "R2", id="x-matrix"),
    _row(min_norm_interpolator, dict(x=np.array([[1, 2], [3, 4]]), y=1), DomainError,
         "one-dimensional", "x.shape", "R2", id="x-2d-array"),
    # --- binary floats are refused, with a hint to Fraction ---
    _row(hessian, dict(x=X, y=0.5, w=[1, 1]), DomainError, "Fraction", "y", "R1", id="float-y"),
    _row(min_norm_interpolator, dict(x=[1, 0.5], y=1), DomainError, "Fraction", "x[1]", "R2",
         id="float-x1"),
    _row(gradient_flow_limit, dict(x=X, y=1, alpha=0.01), DomainError, "Fraction", "alpha",
         "R6", id="float-alpha"),
    _row(gd_step, dict(x=X, y=1, eta=0.1, w=[1, 1]), DomainError, "Fraction", "eta", "R7",
         id="float-eta"),
    _row(is_linearly_stable, dict(S=3, eta=0.5), DomainError, "Fraction", "eta", "R5",
         id="float-eta-R5"),
    _row(population_risk, dict(beta=[1, 0], beta_star=[0, 1], sigma2=0.5), DomainError,
         "Fraction", "sigma2", "R8", id="float-sigma2"),
    _row(population_risk, dict(beta=[1, 0], beta_star=[0, 1], Sigma=[[1, 0.5], [0.5, 1]]),
         DomainError, "Fraction", "Sigma[0,1]", "R8", id="float-Sigma"),
    _row(gd_product_identity, dict(x=X, alpha=1, eta=1, residuals=[0.5]), DomainError,
         "Fraction", "residuals[0]", "R7", id="float-residual"),
    _row(min_norm_interpolator, dict(x=[1, np.float64(0.5)], y=1), DomainError, "Fraction",
         "x[1]", "R2", id="numpy-float"),
    _row(hessian, dict(x=X, y=sp.Float(0.5), w=[1, 1]), DomainError, "Rational", "y", "R1",
         id="sympy-Float"),
    # --- NaN and infinities ---
    _row(hessian, dict(x=X, y=float("nan"), w=[1, 1]), DomainError, "finite", "y", "R1",
         id="float-nan"),
    _row(min_norm_interpolator, dict(x=[1, float("inf")], y=1), DomainError, "finite", "x[1]",
         "R2", id="float-inf"),
    _row(hessian, dict(x=X, y=sp.nan, w=[1, 1]), DomainError, "finite", "y", "R1",
         id="sympy-nan"),
    _row(min_norm_interpolator, dict(x=[1, sp.oo], y=1), DomainError, "finite", "x[1]", "R2",
         id="sympy-oo"),
    _row(gradient_flow_limit, dict(x=X, y=1, alpha=-sp.oo), DomainError, "finite", "alpha",
         "R6", id="sympy-minus-oo"),
    _row(gd_step, dict(x=X, y=1, eta=sp.zoo, w=[1, 1]), DomainError, "finite", "eta", "R7",
         id="sympy-zoo"),
    _row(hessian, dict(x=X, y=sp.I, w=[1, 1]), DomainError, "real", "y", "R1", id="sympy-I"),
    _row(hessian, dict(x=X, y=1 + 2j, w=[1, 1]), DomainError, "real", "y", "R1",
         id="python-complex"),
    # --- y <= 0 where the claim needs y > 0 ---
    _row(min_norm_interpolator, dict(x=X, y=0), DomainError, "y > 0", "y", "R2", id="y0-R2"),
    _row(min_sharpness_interpolator, dict(x=X, y=-1), DomainError, "y > 0", "y", "R3",
         id="yneg-R3"),
    _row(zero_loss_bounds, dict(x=X, y=0), DomainError, "y > 0", "y", "R4", id="y0-R4"),
    _row(stability_thresholds, dict(x=X, y=-1), DomainError, "y > 0", "y", "R5", id="y-R5"),
    _row(gradient_flow_limit, dict(x=X, y=0, alpha=F(1, 10)), DomainError, "y > 0", "y", "R6",
         id="y0-R6"),
    _row(uniform_prior, dict(x=X, y=F(-1, 2)), DomainError, "y > 0", "y", "R8", id="y-R8"),
    _row(zero_loss_sharpness, dict(x=X, y=0, beta=[0, 0]), DomainError, "y > 0", "y", "R1",
         id="y0-zero-loss"),
    # --- x_i <= 0 where the claim needs positivity ---
    _row(min_norm_interpolator, dict(x=[1, 0], y=1), DomainError, "x > 0", "x[1]", "R2",
         id="x0-R2"),
    _row(min_sharpness_interpolator, dict(x=[-1, 1], y=1), DomainError, "x > 0", "x[0]", "R3",
         id="xneg-R3"),
    _row(zero_loss_vertices, dict(x=[1, 2, -3], y=1), DomainError, "x > 0", "x[2]", "R2",
         id="x-vertices"),
    _row(pareto_front, dict(x=[1, 0], y=1), DomainError, "x > 0", "x[1]", "R4", id="x-R4"),
    _row(stability_thresholds, dict(x=[1, 0], y=1), DomainError, "x > 0", "x[1]", "R5",
         id="x-R5"),
    _row(gradient_flow_limit, dict(x=[1, -2], y=1, alpha=F(1, 10)), DomainError, "x > 0",
         "x[1]", "R6", id="x-R6"),
    _row(gradient_flow_path, dict(x=[0, 1], y=1, alpha=F(1, 10)), DomainError, "x > 0", "x[0]",
         "R6", id="x-R6-path"),
    _row(uniform_prior, dict(x=[0, 1], y=1), DomainError, "x > 0", "x[0]", "R8", id="x-R8"),
    _row(bias_gaps, dict(x=[1, -1], y=1), DomainError, "x > 0", "x[1]", "R8", id="x-R8-gaps"),
    _row(eos_interpolator, dict(x=[1, 0], y=1, eta=1), DomainError, "x > 0", "x[1]", "R9",
         id="x-R9"),
    _row(gd_step, dict(x=[1, 0], y=1, eta=1, w=[1, 1]), DomainError, "x > 0", "x[1]", "R7",
         id="x-R7"),
    # --- alpha <= 0 ---
    _row(gradient_flow_limit, dict(x=X, y=1, alpha=0), DomainError, "alpha > 0", "alpha", "R6",
         id="alpha0-R6"),
    _row(gradient_flow_equation, dict(x=X, y=1, alpha=-1), DomainError, "alpha > 0", "alpha",
         "R6", id="alpha-eq"),
    _row(sharpness_along_flow, dict(x=X, y=1, alpha=0), DomainError, "alpha > 0", "alpha", "R6",
         id="alpha-along"),
    _row(gradient_flow_potential, dict(alpha=0, beta=[1, 0]), DomainError, "alpha > 0", "alpha",
         "R6", id="alpha-potential"),
    _row(first_iterate, dict(x=X, y=1, alpha=0, eta=F(1, 2)), DomainError, "alpha > 0",
         "alpha", "R7", id="alpha-gd-next"),
    _row(gd_iterates, dict(x=X, y=1, alpha=0, eta=F(1, 2)), DomainError, "alpha > 0",
         "alpha", "R7", id="alpha-gd-call"),
    _row(gd_product_identity, dict(x=X, alpha=-1, eta=1, residuals=[]), DomainError,
         "alpha > 0", "alpha", "R7", id="alpha-product"),
    _row(effective_initialisation, dict(x=X, alpha=0, eta=1, residuals=[1]), DomainError,
         "alpha > 0", "alpha", "R7", id="alpha-effective"),
    _row(predicted_best_learning_rate, dict(x=X, y=1, alpha=0), DomainError, "alpha > 0",
         "alpha", "R9", id="alpha-R9"),
    # --- eta <= 0 ---
    _row(gd_step, dict(x=X, y=1, eta=0, w=[1, 1]), DomainError, "eta > 0", "eta", "R7",
         id="eta0-step"),
    _row(first_iterate, dict(x=X, y=1, alpha=1, eta=-1), DomainError, "eta > 0", "eta", "R7",
         id="eta-gd-next"),
    _row(is_linearly_stable, dict(S=3, eta=0), DomainError, "eta > 0", "eta", "R5",
         id="eta0-R5"),
    _row(jacobian_eigenvalue, dict(S=3, eta=-1), DomainError, "eta > 0", "eta", "R5",
         id="eta-jac"),
    _row(least_norm_stable_interpolator, dict(x=X, y=1, eta=0), DomainError, "eta > 0", "eta",
         "R5", id="eta0-least"),
    _row(eos_interpolator, dict(x=X, y=1, eta=-F(1, 2)), DomainError, "eta > 0", "eta", "R9",
         id="eta-R9"),
    _row(effective_initialisation, dict(x=X, alpha=1, eta=0, residuals=[1]), DomainError,
         "eta > 0", "eta", "R7", id="eta0-effective"),
    # --- bools and strings ---
    _row(hessian, dict(x=X, y=True, w=[1, 1]), DomainError, "bool", "y", "R1", id="bool-y"),
    _row(min_norm_interpolator, dict(x=[True, 1], y=1), DomainError, "bool", "x[0]", "R2",
         id="bool-x"),
    _row(gradient_flow_limit, dict(x=X, y=1, alpha=False), DomainError, "bool", "alpha", "R6",
         id="bool-alpha"),
    _row(hessian, dict(x=X, y="abc", w=[1, 1]), DomainError, "string", "y", "R1", id="str-y"),
    _row(min_norm_interpolator, dict(x=["1", "one"], y=1), DomainError, "string", "x[1]", "R2",
         id="str-x"),
    _row(gd_step, dict(x=X, y=1, eta="1/0", w=[1, 1]), DomainError, "string", "eta", "R7",
         id="str-div0"),
    _row(gradient_flow_limit, dict(x=X, y=1, alpha="nan"), DomainError, "string", "alpha", "R6",
         id="str-nan"),
    _row(min_norm_interpolator, dict(x=[1, None], y=1), DomainError, "real", "x[1]", "R2",
         id="none"),
    # --- claim-specific domains ---
    _row(eos_interpolator, dict(x=X, y=1, eta=2), DomainError, "1/2 <= eta <= 1", "eta", "R9",
         id="eta-above-R9"),
    _row(eos_interpolator, dict(x=X, y=1, eta=F(1, 4)), DomainError, "1/2 <= eta <= 1", "eta",
         "R9", id="eta-below-R9"),
    _row(eos_interpolator, dict(x=[1, 1], y=1, eta=F(1, 2)), DomainError, "x_1 != x_2", "x",
         "R9", id="tie-R9"),
    _row(eos_interpolator, dict(x=[1, F(1, 2), F(1, 3)], y=1, eta=F(3, 5)), DomainError,
         "d = 2", "len(x)", "R9", id="d3-R9"),
    _row(norm_sharpness_identity, dict(x=[1, F(1, 2), F(1, 3)], y=1), DomainError, "d = 2",
         "len(x)", "R4", id="d3-R4"),
    _row(least_norm_stable_interpolator, dict(x=X, y=1, eta=F(101, 100)), DomainError,
         "no interpolator is stable", "eta", "R5", id="no-stable"),
    _row(jacobian_eigenvalue, dict(S=-1, eta=1), DomainError, "S >= 0", "S", "R5", id="S-neg"),
    _row(zero_loss_sharpness, dict(x=X, y=1, beta=[-1, 4]), DomainError, "beta >= 0",
         "beta[0]", "R1", id="beta-neg"),
    _row(zero_loss_sharpness, dict(x=X, y=1, beta=[1, 1]), DomainError, "<x, beta> = y", "beta",
         "R1", id="beta-off-M"),
    _row(gradient_flow_potential, dict(alpha=1, beta=[-1, 1]), DomainError, "beta >= 0",
         "beta[0]", "R6", id="beta-neg-potential"),
    _row(extreme_indices, dict(x=[1, 2], which="mid"), DomainError, "'max' or 'min'", "which",
         "R2", id="which"),
    _row(pareto_l1_at, dict(x=[1, F(1, 2), F(1, 4)], y=1, S=F(1, 2)), DomainError,
         "1 <= S <= 4", "S", "R4", id="S-below-front"),
    _row(pareto_interpolator_at, dict(x=[1, F(1, 2), F(1, 4)], y=1, S=5), DomainError,
         "1 <= S <= 4", "S", "R4", id="S-above-front"),
    _row(pareto_front, dict(x=[b_, c_], y=1), NotDecidable, "cannot decide", None, "R4",
         id="undecidable-order"),
    # --- Sigma and sigma2 ---
    _row(population_risk, dict(beta=[1, 0], beta_star=[0, 1], Sigma=[[1, 2], [2, 1]]),
         DomainError, "positive semidefinite", "Sigma", "R8", id="Sigma-not-psd"),
    _row(population_risk, dict(beta=[1, 0], beta_star=[0, 1], Sigma=[[1, 2], [0, 1]]),
         DomainError, "symmetric", "Sigma", "R8", id="Sigma-not-symmetric"),
    _row(expected_risk, dict(beta=[1, 0], prior=point_prior([1, 1]), Sigma=[[1, 0, 0]] * 3),
         DomainError, "2 x 2", "Sigma.shape", "R8", id="Sigma-shape"),
    _row(optimal_interpolator, dict(x=X, y=1, prior=point_prior([1, 1]),
                                    Sigma=[[1, 0], [0, 0]]),
         DomainError, "positive definite", "Sigma", "R8", id="Sigma-singular-off-M"),
    _row(optimal_interpolator, dict(x=list(range(1, 16)), y=1, prior=point_prior([0] * 15)),
         DomainError, "d <= 14", "len(x)", "R8", id="d15-off-M"),
    _row(bias_gaps, dict(x=X, y=1, Sigma=[[-1, 0], [0, 1]]), DomainError,
         "positive semidefinite", "Sigma", "R8", id="Sigma-neg-gaps"),
    _row(population_risk, dict(beta=[1, 0], beta_star=[0, 1], sigma2=-1), DomainError,
         "sigma2 >= 0", "sigma2", "R8", id="sigma2-neg"),
    _row(expected_risk, dict(beta=[1, 0], prior=point_prior([1, 1]), sigma2=F(-1, 3)),
         DomainError, "sigma2 >= 0", "sigma2", "R8", id="sigma2-neg-expected"),
    _row(bias_gaps, dict(x=X, y=1, sigma2=-1), DomainError, "sigma2 >= 0", "sigma2", "R8",
         id="sigma2-neg-gaps"),
]


@pytest.mark.parametrize("function,kwargs,exception,substring,argument,claim", TABLE)
def test_bad_input_is_refused_with_a_precise_message(function, kwargs, exception, substring,
                                                     argument, claim):
    with pytest.raises(exception) as info:
        function(**kwargs)
    err = info.value
    message = str(err)
    alternatives = substring if isinstance(substring, tuple) else (substring,)
    assert any(text in message for text in alternatives), message
    assert err.claim == claim
    if isinstance(err, DomainError):
        assert err.argument == argument
        assert message.startswith(f"{argument} = ")  # the message names the argument
        assert f"required by {claim}" in message  # ... and the claim
        assert err.required and err.required in message
    else:
        assert f"({claim})" in message


def test_spectrum_is_not_refused_for_negative_x_or_y():
    # R1 is an identity of calculus: no sign condition (control row for the table above).
    assert hessian_spectrum([2, -1], -3, [1, 2]).eigenvalues


def test_sympy_column_vectors_are_accepted():
    assert min_norm_interpolator(sp.Matrix([3, 2]), 1).beta == (F(1, 3), 0)
    g = gradient([1, 2], 1, [1, 1])  # a 2 x 1 ImmutableMatrix
    assert hessian([1, 2], 1, g) == hessian([1, 2], 1, list(g))
