"""The n-sample claims N1-N3 (proofs_check.checks.many_samples): registration, the checks on
hand-made instances, and the certificates failing when the numerics are perturbed.

A perturbed minimum-norm solution (moved along the null space of X: still an interpolator,
no longer optimal) or a perturbed dual must make theory's certificate and N1's check fail, and
``verify`` must refute N1 with a shrunk counterexample; a lower bound pushed above the optimum
must make N2's closed-form check fail.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

import pytest
import sympy as sp

import numerics.interpolators as NI
from proofs_check import REGISTRY, verify
from proofs_check import strategies as S
from proofs_check.checks import many_samples as room
from theory import many_samples as M

INST = S.Instance(((F(1), F(2), F(0)), (F(0), F(1), F(1))), (F(2), F(1)), F(1),
                  param="product")


def test_registered_in_order_with_their_kinds():
    ids = list(REGISTRY)
    assert ids[-3:] == ["N1", "N2", "N3"]
    assert [REGISTRY[c].kind for c in ("N1", "N2", "N3")] == ["identity", "lower", "equality"]
    assert REGISTRY["N3"].check("difference").function is room.check_E4_numerics
    for c in ("N1", "N2", "N3"):
        assert all(f.__claim__.claim == c for f in REGISTRY[c].theory)


def test_checks_pass_on_a_hand_instance():
    assert room.check_N1_exact(INST).status == "pass"
    assert room.check_N2_certificate(INST).status == "pass"
    t = S.Transformed(INST, F(3, 2), (2, 0, 1))
    assert room.check_N1_metamorphic(t).status == "pass"


def test_closed_form_of_the_blocks_domain():
    """X = diag(1, 2), y = (1, 2): the only interpolator is (1, 1), S = (2/2) max(1, 4)."""
    inst = S.Instance(((F(1), F(0)), (F(0), F(2))), (F(1), F(2)), F(1), param="product",
                      edge="rotated-blocks", theta=((F(1), F(0)), (F(0), F(1))))
    assert room._closed_form(inst) == 4
    assert room.check_N2_exact(inst).status == "pass"
    U = room._cayley([[0, F(1, 2)], [F(-1, 2), 0]])
    assert U * U.T == sp.eye(2)


def _perturbed(move_beta, move_nu):
    """min_norm_interpolator with its answer moved along the null space of X (by
    ``move_beta``) and its dual shifted (by ``move_nu``), when X has a null space."""
    real = NI.min_norm_interpolator

    def wrong(X, y, param="product", depth=2):
        r = real(X, y, param, depth)
        Xm = sp.Matrix([[sp.Rational(v) for v in row] for row in X])
        null = Xm.nullspace()
        if not null or r.nu is None:
            return r
        beta = tuple(b + move_beta * F(str(v)) for b, v in zip(r.beta, null[0]))
        if param == "shared" and any(b < 0 for b in beta):
            return r
        nu = tuple(v + move_nu for v in r.nu)
        return replace(r, beta=beta, nu=nu, l1_norm=sum(abs(b) for b in beta))

    return wrong


def test_certificate_fails_on_a_perturbed_solution():
    r = NI.min_norm_interpolator(INST.X, INST.ys)
    assert M.min_norm_certificate(INST.X, INST.ys, r.beta, r.nu).optimal
    null = (2, -1, 1)  # X null = 0
    moved = tuple(b + F(1, 10) * v for b, v in zip(r.beta, null))
    c = M.min_norm_certificate(INST.X, INST.ys, moved, r.nu)
    assert c.interpolates and not c.optimal and c.gap > 0
    c = M.min_norm_certificate(INST.X, INST.ys, r.beta, [v + F(1, 10) for v in r.nu])
    assert not c.optimal


@pytest.mark.parametrize("move_beta, move_nu", [(F(1, 7), 0), (0, F(1, 5))])
def test_n1_refuted_on_a_perturbed_solution(monkeypatch, move_beta, move_nu):
    monkeypatch.setattr(NI, "min_norm_interpolator", _perturbed(move_beta, move_nu))
    assert room.check_N1_exact(INST).status == "fail"
    report = verify(["N1"], examples=20, seed=0)
    (res,) = report.claims
    assert res.verdict == "refuted" and report.exit_code == 1
    assert res.counterexample["check"] in ("exact", "metamorphic")


def test_n2_refuted_when_the_lower_bound_is_too_high(monkeypatch):
    real = NI.min_sharpness_interpolator

    def wrong(*a, **k):
        r = real(*a, **k)
        return replace(r, lower=r.lower + F(1, 1000), upper=r.upper + F(1, 1000))

    monkeypatch.setattr(NI, "min_sharpness_interpolator", wrong)
    inst = S.Instance(((F(1), F(0)), (F(0), F(2))), (F(1), F(2)), F(1), param="product",
                      edge="rotated-blocks", theta=((F(1), F(0)), (F(0), F(1))))
    out = room.check_N2_exact(inst)
    assert out.status == "fail" and out.detail["quantity"] == "S* - lower"
    report = verify(["N2"], examples=8, seed=0)
    assert report.claims[0].verdict == "refuted"
