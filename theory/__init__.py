"""Exact theory of diagonal networks: the shared one-sample model ([MFCKM26], claims R1 to R9)
and the general product / difference networks (E1 to E5, :mod:`theory.general_networks`).

Every public function returns sympy objects (or frozen dataclasses of them), accepts exact
numbers and sympy symbols, cites its claim (``function.__claim__``) and raises
:class:`~theory.errors.DomainError` naming the argument, its value, the required domain and the
claim. No floats, no I/O.

Model: ``beta = w * w``, ``L(w) = 1/2 (<x, beta> - y)^2``, zero-loss set
``M = {beta >= 0 : <x, beta> = y}``.
"""

from . import general_networks
from .citations import SOURCES, Citation, citation_of, cites
from .edge_of_stability import BestLearningRate, eos_interpolator, predicted_best_learning_rate
from .errors import DomainError, NotDecidable
from .gd_identity import (
    EffectiveInitialisation,
    effective_initialisation,
    gd_iterates,
    gd_product_identity,
    gd_step,
)
from .general_networks import (
    E_FUNCTIONS,
    gram_form,
    hessian_formula,
    least_param_norm,
    least_sharpness_matrix,
    one_sample_flow_path,
    one_sample_flow_residual,
    product_gd_invariants,
    woodworth_gradient,
    woodworth_potential,
    woodworth_q,
)
from .generalisation import (
    BiasComparison,
    Prior,
    bias_gaps,
    expected_risk,
    optimal_interpolator,
    point_prior,
    population_risk,
    uniform_prior,
)
from .gradient_flow import (
    GradientFlowLimit,
    SharpnessAlongFlow,
    gradient_flow_equation,
    gradient_flow_limit,
    gradient_flow_path,
    gradient_flow_potential,
    gradient_flow_small_alpha_limit,
    sharpness_along_flow,
)
from .hessian import (
    Spectrum,
    gradient,
    hessian,
    hessian_char_poly,
    hessian_spectrum,
    lambda_max,
    loss,
    residual,
    sharpness,
    zero_loss_sharpness,
)
from .interpolators import (
    Interpolator,
    extreme_indices,
    min_norm_interpolator,
    min_sharpness_interpolator,
    zero_loss_vertices,
)
from .pareto import Bounds, ParetoFront, norm_sharpness_identity, pareto_front, zero_loss_bounds
from .stability import (
    Thresholds,
    is_linearly_stable,
    jacobian_eigenvalue,
    least_norm_stable_interpolator,
    stability_thresholds,
)

#: The public functions, each citing one claim (the registry in proofs_check reads this). The
#: general-network claims E1 to E5 live in :mod:`theory.general_networks` (``E_FUNCTIONS``).
CLAIM_FUNCTIONS = (
    residual, loss, gradient, hessian, hessian_char_poly, hessian_spectrum, sharpness,
    lambda_max, zero_loss_sharpness,
    zero_loss_vertices, extreme_indices, min_norm_interpolator, min_sharpness_interpolator,
    zero_loss_bounds, norm_sharpness_identity, pareto_front,
    jacobian_eigenvalue, is_linearly_stable, stability_thresholds, least_norm_stable_interpolator,
    gradient_flow_path, gradient_flow_equation, gradient_flow_limit, gradient_flow_potential,
    gradient_flow_small_alpha_limit, sharpness_along_flow,
    gd_step, gd_iterates, gd_product_identity, effective_initialisation,
    uniform_prior, point_prior, population_risk, expected_risk, optimal_interpolator, bias_gaps,
    eos_interpolator, predicted_best_learning_rate,
) + E_FUNCTIONS

__all__ = [f.__name__ for f in CLAIM_FUNCTIONS] + ["general_networks", "E_FUNCTIONS",
    "CLAIM_FUNCTIONS", "SOURCES", "Citation", "citation_of", "cites", "DomainError",
    "NotDecidable", "Spectrum", "Interpolator", "Bounds", "ParetoFront", "Thresholds",
    "GradientFlowLimit", "SharpnessAlongFlow", "EffectiveInitialisation", "Prior",
    "BiasComparison", "BestLearningRate",
]
