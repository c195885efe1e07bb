"""The readings of the main job's evidence (proofs_check.evidence): the prose follows the
numbers, and the exact table takes theory's values as they are.

The sweep results are stand-ins (SimpleNamespace with the fields the sections read), so every
expected sentence follows from numbers chosen here, not from a run.
"""

from __future__ import annotations

from fractions import Fraction
from types import SimpleNamespace

import pytest

# ------------------------------------------------------------------ prose follows the numbers
S_GF = Fraction(399, 100)  # stand-ins for s_GF and 2/s_GF: the prose compares, it computes
ETA_C = 2 / S_GF           # nothing else


def _flow_result(S_ref: float, digits: int, observed: Fraction):
    """The fields of a SweepResult that the eta_c section reads."""
    return SimpleNamespace(
        predicted={"s_gf": S_GF, "eta_c": ETA_C, "s_gf_at_end": True},
        eta_c={"bracket": (observed - Fraction(1, 10**5), observed), "tol": Fraction(1, 1000),
               "S_ref": S_ref, "S_ref_text": f"{S_ref:.{digits}g}", "S_ref_digits": digits,
               "S_ref_audited": True, "S_ref_eta": Fraction(1, 2), "refine_etas": [],
               "confirmed": True, "observed": observed},
        eta_c_observed=float(observed), eta_c_predicted=float(ETA_C))


@pytest.mark.parametrize("S_ref, digits, observed, must, must_not", [
    # flatter plateau, transition after 2/s_GF: the usual picture
    (3.9788, 5, ETA_C * Fraction(1003, 1000), "flatter than gradient flow", "sharper"),
    # sharper plateau, transition before 2/s_GF
    (3.9951, 5, ETA_C * Fraction(997, 1000), "sharper than gradient flow", "flatter"),
    # a flatter plateau but an early transition: no causal sentence
    (3.9788, 5, ETA_C * Fraction(997, 1000), "does not explain", "stays stable"),
    # equal to its digits
    (3.99, 3, ETA_C * Fraction(1003, 1000), "equal to s_GF to its 3 digits", "flatter"),
])
def test_flow_prose_follows_the_comparison(S_ref, digits, observed, must, must_not):
    from proofs_check.evidence import _flow_section

    text = _flow_section(_flow_result(S_ref, digits, observed), 1000)
    assert must in text and must_not not in text, text


def _best_result(S: float, eta: Fraction):
    """The fields of a SweepResult that the U-shape section reads (risks as in the default
    instance: 5/4 for both biases, 0 for the optimum)."""
    point = {"risk_min_norm": Fraction(5, 4), "risk_min_sharpness": Fraction(5, 4),
             "risk_optimal": Fraction(0), "eta_star": Fraction(2, 3),
             "sharpness_optimal": Fraction(3)}
    uniform = {"risk_min_norm": Fraction(5, 3), "risk_min_sharpness": Fraction(5, 3),
               "risk_optimal": Fraction(5, 12)}
    return SimpleNamespace(
        predicted={"point": point, "uniform": uniform},
        best={"eta": eta, "risk": 1e-6, "risk_text": "1e-6", "resolution": Fraction(1, 1000),
              "confirmed": True, "interior": True},
        confirm={eta: {"quantities": {"S": {"json": S, "text": f"{S:.10g}", "digits": 10}}}})


def test_u_prose_claims_the_edge_only_when_the_numbers_show_it():
    from proofs_check.evidence import _u_section

    # S below 2/eta and the best eta below eta*: the sentence of the paper
    text = _u_section(_best_result(3.0000242351, Fraction(654715, 10**6)), 1000)
    assert "GD stops slightly below 2/eta" in text
    # S above 2/eta (= 3.0548 at this eta): the report must not say it stops below it
    text = _u_section(_best_result(3.1, Fraction(654715, 10**6)), 1000)
    assert "stops slightly below" not in text and "S = 3.1 > 2/eta" in text
    # the best eta above eta*: no 'smaller eta'
    text = _u_section(_best_result(2.9, Fraction(7, 10)), 1000)
    assert "smaller eta" not in text and "above eta*" in text


def test_the_r1_row_takes_the_exact_optimum_even_when_irrational(monkeypatch):
    """An optimum with irrational entries (beta = (1 - 1/sqrt2, sqrt2) on <x, beta> = 1): the
    Hessian there has eigenvalues {4 sum x_i^2 beta_i, 0} = {4 - sqrt2, 0} (R1, by hand)."""
    import sympy as sp

    from proofs_check.evidence import exact_rows
    from proofs_check.predictions import predict_one_sample

    X, Y, ALPHA = [1, Fraction(1, 2)], 1, Fraction(1, 100)
    pred = predict_one_sample(X, Y, ALPHA, [Fraction(1, 2), Fraction(1)])
    beta = (1 - 1 / sp.sqrt(2), sp.sqrt(2))

    def blocks(prior=None):
        out = pred.blocks(prior)
        out["optimal"] = dict(out["optimal"], beta=beta)
        return out

    rows = exact_rows(SimpleNamespace(blocks=blocks), X, Y, ALPHA)
    eig = next(r for r in rows if r[1].startswith("Hessian eigenvalues"))
    values = eig[2]  # the exact tuple (4 - sqrt(2), 0)
    assert {sp.simplify(v) for v in values} == {sp.simplify(4 - sp.sqrt(2)), 0}
