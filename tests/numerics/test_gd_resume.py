"""Resuming, averaging, decaying: what the GD driver promises beyond a single plain run.

Every expected value comes from another route: an uninterrupted run (for resumption), a loop
written here (for the decay schedule and the averaged iterate), exact Fraction arithmetic
(for the effective initialisation of depth 3).
"""

from __future__ import annotations

from fractions import Fraction as F

import mpmath
import pytest

from numerics import Problem, gradient_descent, iterate
from numerics.backends import get_backend
from numerics.errors import DomainError
from numerics.gd import gains

DEFAULT = Problem([1, F(1, 2)], 1, F(1, 100), beta_star=[F(1, 2), 1])


class _Kill(Exception):
    """Stands for the process being killed after a checkpoint was written."""


def _interrupted_then_resumed(tmp_path, eta, steps, kill_at, problem=DEFAULT, **kw):
    ck = tmp_path / "ck.json"

    def kill(k):
        if k >= kill_at:
            raise _Kill

    with pytest.raises(_Kill):
        gradient_descent(problem, eta, steps, checkpoint=ck, checkpoint_seconds=0,
                         callback=kill, **kw)
    assert ck.exists()
    return gradient_descent(problem, eta, steps, checkpoint=ck, checkpoint_seconds=0, **kw)


@pytest.mark.parametrize("eta, kill_at, kw", [
    ("0.97", 3100, dict(average_last=3000, record_every=1024)),  # chaotic, averaged
    ("0.6", 1100, dict(record_every=256)),        # converges (at step 2598) after the resume
    ("0.97", 3100, dict(decay_steps=2000, record_every=1024)),   # decays after the resume
])
def test_resumed_run_equals_the_uninterrupted_run(tmp_path, eta, kill_at, kw):
    steps = 6000
    whole = gradient_descent(DEFAULT, eta, steps, backend="flint", dps=30, **kw)
    again = _interrupted_then_resumed(tmp_path, eta, steps, kill_at=kill_at, backend="flint",
                                      dps=30, **kw)
    assert again.status == whole.status and again.steps == whole.steps
    assert again.beta == whole.beta and again.theta == whole.theta
    assert again.l1_norm == whole.l1_norm and again.gain == whole.gain
    assert again.trajectory.step == whole.trajectory.step  # no record counted twice
    assert again.trajectory.loss == whole.trajectory.loss
    assert again.diagnosis == whole.diagnosis


@pytest.mark.parametrize("backend", ["float64", "dd", "qd"])
@pytest.mark.parametrize("eta, kill_at, kw", [
    ("0.97", 1000, dict(average_last=3000, record_every=256)),   # killed before w_2 is scaled
    ("0.97", 3100, dict(average_last=3000, record_every=1024)),  # (step ~1400-1900), after
    ("0.6", 1100, dict(record_every=256)),                       # converges after the resume
    ("0.6", 1100, dict(decay_steps=2000, record_every=256, tol="1e-40")),  # decays
])
def test_compiled_resumed_run_equals_the_uninterrupted_run(tmp_path, backend, eta, kill_at, kw):
    steps = 6000
    whole = gradient_descent(DEFAULT, eta, steps, backend=backend, **kw)
    assert whole.engine.startswith("compiled")
    again = _interrupted_then_resumed(tmp_path, eta, steps, kill_at=kill_at, backend=backend,
                                      **kw)
    assert again.engine == whole.engine
    assert again.status == whole.status and again.steps == whole.steps
    assert again.beta == whole.beta and again.theta == whole.theta
    assert again.l1_norm == whole.l1_norm and again.gain == whole.gain and again.S == whole.S
    assert again.trajectory.as_dict() == whole.trajectory.as_dict()
    assert again.diagnosis == whole.diagnosis


@pytest.mark.parametrize("backend", ["float64", "dd"])
@pytest.mark.parametrize("kill_at", [1100, 2100])
def test_resumed_run_that_left_the_range_equals_the_uninterrupted_run(tmp_path, monkeypatch,
                                                                      backend, kill_at):
    """A run that goes on in Arb after leaving its format's range (made narrow here, see
    test_compiled_gd.narrow_range: at step 1), killed after one or two checkpoints (the Arb
    path writes them every 1024 steps)."""
    import numerics.kernels.state as state

    monkeypatch.setattr(state, "tiny", lambda L: 2.0**-4)
    problem = Problem([1, F(1, 2)], 1, F(1, 10), param="product")
    kw = dict(backend=backend, record_every=100, stop_at_convergence=False)
    whole = gradient_descent(problem, "0.2", 2500, **kw)
    assert whole.engine.startswith("compiled, then arb")
    again = _interrupted_then_resumed(tmp_path, "0.2", 2500, kill_at, problem=problem, **kw)
    assert again.engine == whole.engine and again.theta == whole.theta
    assert again.trajectory.as_dict() == whole.trajectory.as_dict()
    assert (again.S, again.gain, again.diagnosis) == (whole.S, whole.gain, whole.diagnosis)


@pytest.mark.parametrize("backend, eta", [("float64", "0.6"), ("dd", "0.6"), ("dd", "1.02"),
                                          ("flint", "1.02")])
def test_rerunning_a_finished_command_changes_nothing(tmp_path, backend, eta):
    ck = tmp_path / "done.json"
    dps = 20 if backend == "flint" else None
    first = gradient_descent(DEFAULT, eta, 5000, checkpoint=ck, record_every=256,
                             backend=backend, dps=dps)
    second = gradient_descent(DEFAULT, eta, 5000, checkpoint=ck, record_every=256,
                              backend=backend, dps=dps)
    assert first.status == second.status == ("converged" if eta == "0.6" else "diverged")
    assert second.trajectory.step == first.trajectory.step
    assert second.beta == first.beta and second.steps == first.steps


def test_average_is_the_mean_of_the_last_K_iterates():
    steps, K = 500, 7
    res = gradient_descent(DEFAULT, "0.97", steps, backend="mpmath", dps=30, average_last=K,
                           final_sharpness=False)
    assert res.status == "not_converged"
    be = get_backend("mpmath", 30)
    kept = []
    with be.scope():
        for state in iterate(DEFAULT, F(97, 100), backend=be):
            if state.k > steps - K:
                kept.append([be.to_fraction(v) for v in state.theta[0]])
            if state.k == steps:
                break
    assert len(kept) == K  # theta_{steps-K+1} .. theta_steps, the last one included
    ctx = mpmath.MPContext()
    ctx.dps = 25
    for i in range(DEFAULT.d):
        mean = sum(t[i] for t in kept) / K
        assert abs(res.theta[0][i] - mean) < F(1, 10**25) * max(1, abs(mean))


def test_decay_schedule_reaches_decay_to_geometrically():
    steps, N, eta = 30, 200, F(45, 100)
    res = gradient_descent(DEFAULT, eta, steps, decay_steps=N, decay_to=F(1, 10),
                           stop_at_convergence=False, final_sharpness=False)
    assert res.steps == steps + N
    # the same float64 GD written out by hand, with the schedule built independently:
    # eta for k < steps, then eta * (1/10)^(j/N) for j = 0 .. N-1
    ratio = 0.1 ** (1 / N)
    rates = [float(eta)] * steps + [float(eta) * ratio ** j for j in range(N)]
    assert rates[-1] == pytest.approx(float(eta) * 0.1 * 0.1 ** (-1 / N), rel=1e-12)
    w = [0.01, 0.01]
    x = [1.0, 0.5]
    for e in rates:
        r = x[0] * (w[0] * w[0]) + x[1] * (w[1] * w[1]) - 1.0
        w = [w[i] * (1 - 2 * e * (r * x[i])) for i in range(2)]
    assert float(res.beta[0]) == pytest.approx(w[0] ** 2, rel=1e-12)
    assert float(res.beta[1]) == pytest.approx(w[1] ** 2, rel=1e-12)


def test_average_and_decay_together_are_refused():
    with pytest.raises(DomainError, match="average_last"):
        gradient_descent(DEFAULT, "0.9", 100, average_last=5, decay_steps=10)


def test_float64_refuses_what_it_cannot_represent():
    with pytest.raises(DomainError, match="alpha"):
        gradient_descent(Problem([1, F(1, 2)], 1, F(1, 10**400)), "0.5", 10)
    with pytest.raises(DomainError, match="eta"):
        gradient_descent(DEFAULT, F(10**400), 10)
    # a multiprecision backend takes the same problem
    res = gradient_descent(Problem([1, F(1, 2)], 1, F(1, 10**400)), "0.5", 10,
                           backend="flint", dps=20)
    assert res.status == "not_converged" and 0 < res.beta[0] < F(1, 10**700)


@pytest.mark.parametrize("w", [F(-1, 3), F(2, 7)])
def test_depth_3_gain_follows_the_signed_flow_invariant(w):
    # depth 3: dw/dt = -3 g w^2, so 1/w moves by +3 int g: 1/w_eff = 1/w - 3 G (signed), and
    # gain = log(w_eff^2 / alpha^2) = -2 log|1/w - 3 G| - 2 log alpha.
    problem = Problem([1, F(1, 2)], 1, F(1, 10), depth=3)
    G = F(1, 5)
    be = get_backend("mpmath", 40)
    with be.scope():
        got = gains(problem, be, (be.vector([w, w]),), be.vector([G, G]))
        ctx = mpmath.MPContext()
        ctx.dps = 40
        expected = -2 * ctx.log(abs(ctx.mpf(1) / ctx.mpf(w.numerator) * w.denominator
                                    - 3 * ctx.mpf(G.numerator) / G.denominator)) \
            - 2 * ctx.log(ctx.mpf(1) / 10)
        assert abs(got[0] - expected) < ctx.mpf(10) ** -35
