"""Exact theory of diagonal networks: the shared one-sample model ([MFCKM26], claims R1 to R9)
and the general product / difference networks (E1 to E5, :mod:`theory.general_networks`); and
the computability source [BFFK25] (C1 to C8): quantized networks (:mod:`theory.quantized`),
names of reals and the boundary adversary (:mod:`theory.names`), exit-flag classifiers
(:mod:`theory.exit_flag`) and quantizers (:mod:`theory.quantizers`).

Every public function returns sympy objects (or frozen dataclasses of them), accepts exact
numbers and sympy symbols, cites its claim (``function.__claim__``) and raises
:class:`~theory.errors.DomainError` naming the argument, its value, the required domain and the
claim. No floats, no I/O.

Model: ``beta = w * w``, ``L(w) = 1/2 (<x, beta> - y)^2``, zero-loss set
``M = {beta >= 0 : <x, beta> = y}``.
"""

import importlib
import types

from .citations import ARXIV, RECONSTRUCTED, SOURCES, Citation, citation_of, cites
from .errors import DomainError, NotDecidable

# Public names and the module that defines each. They are imported on first use (PEP 562), so
# ``import theory.errors`` or ``theory.parametrisations`` (what numerics and the command line
# need at start-up) does not load sympy.
_MODULES = {
    "edge_of_stability": ("BestLearningRate", "eos_interpolator", "predicted_best_learning_rate"),
    "gd_identity": ("EffectiveInitialisation", "effective_initialisation", "gd_iterates",
                    "gd_product_identity", "gd_step"),
    "general_networks": ("E_FUNCTIONS", "gram_form", "hessian_formula", "least_param_norm",
                         "least_sharpness_matrix", "one_sample_flow_path",
                         "one_sample_flow_residual", "product_gd_invariants",
                         "woodworth_gradient", "woodworth_potential", "woodworth_q"),
    "generalisation": ("BiasComparison", "Prior", "bias_gaps", "expected_risk",
                       "optimal_interpolator", "point_prior", "population_risk",
                       "uniform_prior"),
    "gradient_flow": ("GradientFlowLimit", "SharpnessAlongFlow", "gradient_flow_equation",
                      "gradient_flow_limit", "gradient_flow_path", "gradient_flow_potential",
                      "gradient_flow_small_alpha_limit", "sharpness_along_flow"),
    "hessian": ("Spectrum", "gradient", "hessian", "hessian_char_poly", "hessian_spectrum",
                "lambda_max", "loss", "residual", "sharpness", "zero_loss_sharpness"),
    "interpolators": ("Interpolator", "extreme_indices", "min_norm_interpolator",
                      "min_sharpness_interpolator", "zero_loss_vertices"),
    "many_samples": ("NormCertificate", "flow_mirror_map", "flow_potential", "least_sharpness",
                     "min_norm_certificate", "parameter_norm_sq", "sharpness_dual_bound",
                     "sharpness_weights"),
    "pareto": ("Bounds", "ParetoFront", "norm_sharpness_identity", "pareto_front",
               "zero_loss_bounds"),
    "population": ("best_interpolator", "eta_star", "gaussian_posterior", "gaussian_prior",
                   "sparse_posterior", "sparse_prior"),
    "stability": ("Thresholds", "is_linearly_stable", "jacobian_eigenvalue",
                  "least_norm_stable_interpolator", "stability_thresholds"),
    # the computability source [BFFK25] (C1-C8): Fractions only, no sympy at import
    "quantized": ("Network", "FitResult", "ERMResult", "SearchBudgetExceeded", "evaluate",
                  "fits", "empirical_risk", "candidate_count", "lex_rank", "decide_fit", "erm",
                  "permute_hidden", "canonical_network"),
    "names": ("Name", "AdversaryResult", "DetectorDefeat", "ABOVE", "BELOW", "EXIT",
              "exact_name", "dyadic_name", "sqrt_name", "side_of_answer", "adversary",
              "defeat_failure_detector"),
    "exit_flag": ("RegionAnswer", "classify_with_exit", "refine_classification", "polynomial",
                  "polynomial_enclosure", "classify_regions"),
    "quantizers": ("quantize", "quantize_name", "relaxed_error_bound", "quantizer_adversary"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

#: The public functions, each citing one claim (the registry in proofs_check reads this), in
#: the order of the claims. The general-network claims E1 to E5 live in
#: :mod:`theory.general_networks` (``E_FUNCTIONS``); the ``n``-sample ones (E2's scalings, N1 to
#: N3) in :mod:`theory.many_samples`, R8 with ``n`` samples in :mod:`theory.population`.
_CLAIM_FUNCTION_NAMES = (
    "residual", "loss", "gradient", "hessian", "hessian_char_poly", "hessian_spectrum",
    "sharpness", "lambda_max", "zero_loss_sharpness",
    "zero_loss_vertices", "extreme_indices", "min_norm_interpolator",
    "min_sharpness_interpolator",
    "zero_loss_bounds", "norm_sharpness_identity", "pareto_front",
    "jacobian_eigenvalue", "is_linearly_stable", "stability_thresholds",
    "least_norm_stable_interpolator",
    "gradient_flow_path", "gradient_flow_equation", "gradient_flow_limit",
    "gradient_flow_potential", "gradient_flow_small_alpha_limit", "sharpness_along_flow",
    "gd_step", "gd_iterates", "gd_product_identity", "effective_initialisation",
    "uniform_prior", "point_prior", "population_risk", "expected_risk", "optimal_interpolator",
    "bias_gaps", "eos_interpolator", "predicted_best_learning_rate",
    # [BFFK25]: C1-C4 (quantized networks), C5-C6 (names, adversary), C7 (exit flag), C8
    "evaluate", "fits", "empirical_risk", "candidate_count", "lex_rank", "decide_fit", "erm",
    "permute_hidden", "canonical_network",
    "exact_name", "dyadic_name", "sqrt_name", "side_of_answer", "adversary",
    "defeat_failure_detector",
    "classify_with_exit", "refine_classification", "polynomial", "polynomial_enclosure",
    "classify_regions",
    "quantize", "quantize_name", "relaxed_error_bound", "quantizer_adversary",
    # n samples: R8 (theory.population), E2 and N1-N3 (theory.many_samples)
    "gaussian_prior", "sparse_prior", "gaussian_posterior", "sparse_posterior",
    "best_interpolator", "eta_star",
    "parameter_norm_sq", "sharpness_weights", "least_sharpness",
    "min_norm_certificate", "sharpness_dual_bound", "flow_potential", "flow_mirror_map",
)


def __getattr__(name: str):
    if name == "CLAIM_FUNCTIONS":
        value = tuple(__getattr__(n) for n in _CLAIM_FUNCTION_NAMES) + __getattr__("E_FUNCTIONS")
    elif name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    elif name in _MODULES or name == "parametrisations":
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'theory' has no attribute {name!r}")
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """``theory.hessian`` is a function and a submodule; importing the submodule must not
    replace the public function (as the eager ``from .hessian import hessian`` ensured)."""

    def __setattr__(self, name, value):
        if isinstance(value, types.ModuleType) and name in _WHERE:
            value = getattr(value, name)
        super().__setattr__(name, value)


importlib.import_module(__name__).__class__ = _Package  # this module, being initialised


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__))


__all__ = list(_CLAIM_FUNCTION_NAMES) + [
    "gram_form", "hessian_formula", "least_param_norm", "least_sharpness_matrix",
    "one_sample_flow_path", "one_sample_flow_residual", "product_gd_invariants",
    "woodworth_gradient", "woodworth_potential", "woodworth_q",
    "general_networks", "E_FUNCTIONS", "many_samples", "population", "NormCertificate",
    "CLAIM_FUNCTIONS", "SOURCES", "ARXIV", "RECONSTRUCTED", "Citation", "citation_of", "cites",
    "DomainError", "NotDecidable", "Spectrum", "Interpolator", "Bounds", "ParetoFront",
    "Thresholds", "GradientFlowLimit", "SharpnessAlongFlow", "EffectiveInitialisation", "Prior",
    "BiasComparison", "BestLearningRate",
    "Network", "FitResult", "ERMResult", "SearchBudgetExceeded", "Name", "AdversaryResult",
    "DetectorDefeat", "RegionAnswer", "ABOVE", "BELOW", "EXIT",
]
