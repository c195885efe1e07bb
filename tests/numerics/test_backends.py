"""The three arithmetic backends against exact rational arithmetic, and their validation.

Expected values come from exact :class:`~fractions.Fraction` arithmetic (matrix-vector
products, rational orthogonal similarity transforms with known eigenvalues), from a second
conversion at a much higher precision (exactness of ``to_fraction``), or from the other
backends; never from the backend under test.
"""

from __future__ import annotations

import math
from fractions import Fraction

import flint
import mpmath
import numpy as np
import pytest

from numerics.backends import BACKENDS, Flint, dps_to_prec, get_backend
from numerics.errors import DomainError
from numerics.gd import gradient_descent, iterate
from numerics.problem import Problem

CONFIGS = [("float64", None), ("mpmath", 30), ("flint", 30), ("mpmath", 60), ("flint", 60)]
IDS = [f"{b}-{d}" for b, d in CONFIGS]


def unit(be) -> Fraction:
    """A generous unit roundoff: ``2^(1 - prec)`` (covers round-to-nearest and arb's rounding)."""
    return Fraction(1, 2 ** (be.prec - 1))


def rational_matrix(n, d, seed):
    """Rationals with non-dyadic denominators, so the backends must round the data."""
    rng = np.random.default_rng(seed)
    num = rng.integers(-50, 51, size=(n, d))
    den = rng.integers(1, 12, size=(n, d))
    return [[Fraction(int(a), int(b)) for a, b in zip(ra, rb)] for ra, rb in zip(num, den)]


def rational_vector(d, seed):
    return rational_matrix(1, d, seed)[0]


def exact_matvec(X, v):
    return [sum(x * w for x, w in zip(row, v)) for row in X]


def exact_rmatvec(X, r):
    return [sum(X[i][j] * r[i] for i in range(len(X))) for j in range(len(X[0]))]


def check_close(be, got, exact, scale, terms):
    """``|got - exact| <= (terms + 3) u scale`` componentwise (dot-product error bound)."""
    u = unit(be)
    for g, e, s in zip(got, exact, scale):
        err = abs(be.to_fraction(g) - e)
        assert err <= (terms + 3) * u * s, (be.name, float(err), float(s))


@pytest.mark.parametrize("backend,dps", CONFIGS, ids=IDS)
# flint computes Python-level dot products below n*d = 64 and uses arb_mat above
@pytest.mark.parametrize("n,d", [(3, 5), (20, 30)])
def test_matvec_rmatvec_match_exact_rationals(backend, dps, n, d):
    be = get_backend(backend, dps)
    X = rational_matrix(n, d, seed=n * 100 + d)
    v = rational_vector(d, seed=7)
    r = rational_vector(n, seed=8)
    absX = [[abs(x) for x in row] for row in X]
    with be.scope():
        Xd = be.data(X)
        got_v = be.matvec(Xd, be.vector(v))
        got_r = be.rmatvec(Xd, be.vector(r))
    assert len(got_v) == n and len(got_r) == d
    check_close(be, got_v, exact_matvec(X, v), exact_matvec(absX, [abs(w) for w in v]), d)
    check_close(be, got_r, exact_rmatvec(X, r), exact_rmatvec(absX, [abs(w) for w in r]), n)


@pytest.mark.parametrize("dps", [30, 60])
def test_flint_and_mpmath_agree_to_their_precision(dps):
    X = rational_matrix(20, 30, seed=3)
    v = rational_vector(30, seed=4)
    out = {}
    for name in ("mpmath", "flint"):
        be = get_backend(name, dps)
        with be.scope():
            out[name] = [be.to_fraction(x) for x in be.matvec(be.data(X), be.vector(v))]
    bound = exact_matvec([[abs(x) for x in row] for row in X], [abs(w) for w in v])
    u = Fraction(1, 2 ** (dps_to_prec(dps) - 1))
    for a, b, s in zip(out["mpmath"], out["flint"], bound):
        assert abs(a - b) <= 2 * 33 * u * s


def rational_orthogonal(n):
    """The Householder reflection ``I - 2 w w^T / (w^T w)``, rational ``w``: exactly orthogonal."""
    w = [Fraction(k + 1, 2 * k + 3) for k in range(n)]
    ww = sum(x * x for x in w)
    return [[(1 if i == j else 0) - 2 * w[i] * w[j] / ww for j in range(n)] for i in range(n)]


@pytest.mark.parametrize("backend,dps", CONFIGS, ids=IDS)
@pytest.mark.parametrize("eigs", [[Fraction(-3), Fraction(1, 2), Fraction(2), Fraction(7)],
                                  [Fraction(1, 3), Fraction(5, 2), Fraction(4)]])
def test_eigvalsh_of_exact_similarity_transform(backend, dps, eigs):
    n = len(eigs)
    Q = rational_orthogonal(n)
    A = [[sum(Q[i][k] * eigs[k] * Q[j][k] for k in range(n)) for j in range(n)]
         for i in range(n)]
    assert all(A[i][j] == A[j][i] for i in range(n) for j in range(n))
    be = get_backend(backend, dps)
    with be.scope():
        got = be.eigvalsh([[be.scalar(v) for v in row] for row in A])
        got = [be.to_fraction(v) for v in got]
    assert got == sorted(got)
    scale = max(abs(e) for e in eigs)
    for g, e in zip(got, eigs):
        assert abs(g - e) <= 2 ** 12 * unit(be) * scale, (float(g), float(e))


@pytest.mark.parametrize("backend,dps", CONFIGS, ids=IDS)
def test_eigvalsh_one_by_one(backend, dps):
    be = get_backend(backend, dps)
    with be.scope():
        (e,) = be.eigvalsh([[be.scalar(Fraction(-5, 4))]])
    assert be.to_fraction(e) == Fraction(-5, 4)


DYADIC = [Fraction(0), Fraction(3, 8), Fraction(-3, 4), Fraction(-5, 1024), Fraction(12345, 2**60),
          Fraction(-(2**52 + 1)), Fraction(7 * 2**40)]


@pytest.mark.parametrize("backend,dps", CONFIGS, ids=IDS)
@pytest.mark.parametrize("q", DYADIC, ids=str)
def test_dyadic_scalars_round_trip_exactly(backend, dps, q):
    be = get_backend(backend, dps)
    with be.scope():
        x = be.scalar(q)
    assert be.to_fraction(x) == q
    assert be.to_float(x) == float(q)


@pytest.mark.parametrize("backend,dps", CONFIGS, ids=IDS)
@pytest.mark.parametrize("q", [Fraction(1, 3), Fraction(-22, 7), Fraction(10**30 + 1, 10**10)],
                         ids=str)
def test_non_dyadic_scalars_are_rounded_to_the_working_precision(backend, dps, q):
    be = get_backend(backend, dps)
    with be.scope():
        x = be.scalar(q)
    f = be.to_fraction(x)
    assert f.denominator & (f.denominator - 1) == 0  # a binary number
    assert 0 < abs(f - q) <= unit(be) * abs(q)


@pytest.mark.parametrize("dps", [30, 60])
def test_to_fraction_is_the_exact_binary_value(dps):
    """Re-entering ``to_fraction(x)`` at a far higher precision must give ``x`` back exactly."""
    m = get_backend("mpmath", dps)
    hi = mpmath.MPContext()
    hi.prec = 4 * m.prec
    with m.scope():
        for x in (m.sqrt(m.scalar(2)), -m.sqrt(m.scalar(3)) / 7, m.log(m.scalar(Fraction(1, 10)))):
            q = m.to_fraction(x)
            assert hi.mpf(q.numerator) / q.denominator == x
            assert (q < 0) == (x < 0)
    f = get_backend("flint", dps)
    with f.scope():
        xs = (f.sqrt(f.scalar(2)), -f.sqrt(f.scalar(3)) / 7, f.log(f.scalar(Fraction(1, 10))))
    with flint.ctx.workprec(4 * f.prec):
        for x in xs:
            q = f.to_fraction(x)
            assert flint.arb(flint.fmpq(q.numerator, q.denominator)) == x.mid()
            assert (q < 0) == (x.mid() < 0)
    # float64: the exact value of a double, checked through decimal (another exact route)
    from decimal import Decimal

    be = get_backend("float64")
    for x in (0.1, -2.0 / 3.0, math.sqrt(2.0), -1e-300):
        assert be.to_fraction(x) == Fraction(Decimal(x))


@pytest.mark.parametrize("backend,dps", CONFIGS, ids=IDS)
def test_sqrt_and_log_to_precision(backend, dps):
    be = get_backend(backend, dps)
    with be.scope():
        s = be.to_fraction(be.sqrt(be.scalar(2)))
        lg = be.log(be.scalar(Fraction(1, 2)))
    assert abs(s * s - 2) <= 4 * unit(be) * 2
    hi = mpmath.MPContext()  # log 2 at twice the precision, in another library for flint
    hi.prec = 2 * be.prec + 20
    q, u = be.to_fraction(lg), unit(be)
    err = abs(hi.mpf(q.numerator) / q.denominator + hi.log(2))
    assert err <= 4 * hi.mpf(u.numerator) / u.denominator * hi.log(2)


@pytest.mark.parametrize("backend,dps", [("mpmath", 30), ("flint", 30)])
def test_to_fraction_rejects_non_finite(backend, dps):
    be = get_backend(backend, dps)
    with be.scope():
        inf = be.ctx.inf if backend == "mpmath" else flint.arb.pos_inf()
    with pytest.raises(DomainError):
        be.to_fraction(inf)
    assert not be.is_finite(inf)


def test_float64_to_fraction_rejects_non_finite():
    be = get_backend("float64")
    for bad in (math.inf, -math.inf, math.nan):
        with pytest.raises(DomainError):
            be.to_fraction(bad)


@pytest.mark.parametrize("backend,dps", [("mpmath", 30), ("flint", 30), ("float64", None)])
def test_abs_le_and_is_finite(backend, dps):
    be = get_backend(backend, dps)
    with be.scope():
        b = be.scalar(2)
        assert be.abs_le(be.scalar(-2), b) and be.abs_le(be.scalar(Fraction(3, 2)), b)
        assert not be.abs_le(be.scalar(Fraction(-9, 4)), b)
        v = be.vector([1, Fraction(1, 3), -7])
        assert be.is_finite(v)
        if backend == "float64":
            nan, inf = math.nan, math.inf
        elif backend == "mpmath":
            nan, inf = be.ctx.nan, be.ctx.inf
        else:
            nan, inf = flint.arb.nan(), flint.arb.pos_inf()
        assert not be.abs_le(nan, b) and not be.abs_le(inf, b)
        w = np.array(list(v) + [nan], dtype=be.dtype)
        assert not be.is_finite(w)


def test_flint_clean_drops_radii_and_keeps_midpoints():
    be = get_backend("flint", 40)
    with be.scope():
        v = be.vector([Fraction(1, 3), Fraction(-2, 7)]) * be.vector([Fraction(5, 11), 3])
        assert any(x.rad() > 0 for x in v)
        c = be.clean(v)
    assert all(x.rad() == 0 for x in c)
    assert [be.to_fraction(x) for x in c] == [be.to_fraction(x) for x in v]


def test_flint_data_is_cached_per_problem_and_precision():
    X = tuple(tuple(row) for row in rational_matrix(8, 10, seed=1))
    be = get_backend("flint", 30)
    with be.scope():
        first = be.data(X)
        assert be.data(X) is first
        assert be.data(tuple(tuple(row) for row in X)) is not first  # keyed by identity
    for _ in range(Flint.CACHE + 1):  # bounded
        with be.scope():
            be.data(tuple(tuple(row) for row in X))
    assert len(be._data_cache) <= Flint.CACHE


# ------------------------------------------------------------------------ validation
@pytest.mark.parametrize("backend", ["float32", "arb", "", None, 3, "FLINT"])
def test_unknown_backend(backend):
    with pytest.raises(DomainError) as info:
        get_backend(backend, 30)
    assert info.value.argument == "backend"


@pytest.mark.parametrize("backend", ["mpmath", "flint"])
def test_dps_missing(backend):
    with pytest.raises(DomainError) as info:
        get_backend(backend)
    assert info.value.argument == "dps" and "required" in info.value.required


@pytest.mark.parametrize("backend", ["mpmath", "flint"])
@pytest.mark.parametrize("dps", [4, 0, -10, 4.0, 100001])
def test_dps_out_of_range(backend, dps):
    with pytest.raises(DomainError) as info:
        get_backend(backend, dps)
    assert info.value.argument == "dps"


@pytest.mark.parametrize("backend", ["mpmath", "flint"])
@pytest.mark.parametrize("dps", [5.5, 30.25, math.nan, math.inf, True, "30", "abc", [30], 1j])
def test_dps_not_a_whole_number(backend, dps):
    with pytest.raises(DomainError) as info:
        get_backend(backend, dps)
    assert info.value.argument == "dps"


@pytest.mark.parametrize("dps", [5, 30.0, np.int64(40), Fraction(50)])
def test_whole_number_dps_accepted(dps):
    for backend in ("mpmath", "flint"):
        be = get_backend(backend, dps)
        assert be.dps == int(dps) and be.prec == dps_to_prec(int(dps))


@pytest.mark.parametrize("dps", [30, 5, 53, 15.5 + 3, "15", math.nan])
def test_float64_with_another_dps(dps):
    with pytest.raises(DomainError) as info:
        get_backend("float64", dps)
    assert info.value.argument == "dps"


def test_float64_accepts_its_own_precision():
    assert get_backend("float64", 15).prec == 53
    assert get_backend("float64", 16).prec == 53
    assert get_backend("float64").name == "float64"
    assert sorted(BACKENDS) == ["dd", "flint", "float64", "mpmath", "qd"]


def test_dps_to_prec_matches_mpmath():
    ctx = mpmath.MPContext()
    for dps in (5, 15, 30, 50, 100, 1000):
        ctx.dps = dps
        assert dps_to_prec(dps) == ctx.prec


# ------------------------------------------------------------------------ global state
def test_global_precisions_unchanged_after_use():
    before = (flint.ctx.prec, mpmath.mp.prec, mpmath.mp.dps)
    problem = Problem([[1, Fraction(1, 2), 3], [2, -1, Fraction(1, 3)]], [1, 2], Fraction(1, 10),
                      param="product")
    for backend, dps in (("flint", 40), ("mpmath", 40), ("flint", 80)):
        be = get_backend(backend, dps)
        with be.scope():
            if backend == "flint":
                assert flint.ctx.prec == be.prec
            x = be.sqrt(be.scalar(2))
            be.eigvalsh([[x, be.scalar(1)], [be.scalar(1), x]])
        assert (flint.ctx.prec, mpmath.mp.prec, mpmath.mp.dps) == before
        res = gradient_descent(problem, Fraction(1, 20), 30, backend=backend, dps=dps,
                               record_every=10)
        # 30 steps from alpha = 1/10 cannot reach the loss tolerance (the loss starts O(1));
        # the run stops on its budget at every backend
        assert res.status == "not_converged" and res.steps == 30
        assert (flint.ctx.prec, mpmath.mp.prec, mpmath.mp.dps) == before
        gen = iterate(problem, Fraction(1, 20), backend=backend, dps=dps)
        for state in gen:
            if state.k == 5:
                break
        gen.close()
        assert (flint.ctx.prec, mpmath.mp.prec, mpmath.mp.dps) == before


def test_scope_restores_after_an_exception():
    before = flint.ctx.prec
    be = get_backend("flint", 70)
    with pytest.raises(ZeroDivisionError):
        with be.scope():
            assert flint.ctx.prec == be.prec
            raise ZeroDivisionError
    assert flint.ctx.prec == before


def test_mpmath_backend_uses_a_private_context():
    before = mpmath.mp.prec
    be = get_backend("mpmath", 70)
    assert be.ctx is not mpmath.mp and be.ctx.prec == dps_to_prec(70) != before
    x = be.sqrt(be.scalar(2))
    assert be.to_fraction(x * x) != 2 and abs(be.to_fraction(x * x) - 2) < Fraction(1, 10**65)
    assert mpmath.mp.prec == before


# ------------------------------------------------------- issue 9: dd, qd, and two helpers
@pytest.mark.parametrize("fmt, bits, own", [("dd", 106, (31, 32)), ("qd", 212, (63, 64))])
def test_compiled_formats_are_arb_at_their_bits(fmt, bits, own):
    from numerics.precision import Precision

    be = get_backend(fmt)
    assert be.prec == bits and be.fmt == be.name == fmt and be.precision == Precision(fmt)
    assert all(get_backend(fmt, dps).prec == bits for dps in own)
    with pytest.raises(DomainError, match="dps"):
        get_backend(fmt, own[1] + 1)
    with be.scope():  # a number of the format's own precision, exactly representable
        q = Fraction(2**bits - 1, 2**bits)
        assert be.to_fraction(be.scalar(q)) == q


@pytest.mark.parametrize("backend, dps", [("float64", None), ("dd", None), ("mpmath", 30),
                                          ("flint", 30), ("flint", 80)])
def test_weighted_gram_and_solve_match_exact_rationals(backend, dps):
    rng = np.random.default_rng(11)
    for n, d in ((2, 3), (3, 40)):  # flint: the small path and the arb_mat path
        X = [[Fraction(int(v), 7) for v in row] for row in rng.integers(-9, 10, (n, d))]
        w = [Fraction(int(v), 3) for v in rng.integers(1, 9, d)]
        exact = [[sum(X[i][k] * w[k] * X[j][k] for k in range(d)) for j in range(n)]
                 for i in range(n)]
        be = get_backend(backend, dps)
        with be.scope():
            G = be.weighted_gram(be.data(tuple(tuple(r) for r in X)), be.vector(w))
            got = [[be.to_fraction(v) for v in row] for row in G]
            A = [[be.scalar(exact[i][j] + (n * 50 if i == j else 0)) for j in range(n)]
                 for i in range(n)]
            Y = be.solve(A, [[be.scalar(Fraction(i + j, 5)) for j in range(2)] for i in range(n)])
            resid = max(abs(sum(be.to_fraction(A[i][k]) * be.to_fraction(Y[k][j])
                                for k in range(n)) - Fraction(i + j, 5))
                        for i in range(n) for j in range(2))
        scale = max(abs(v) for row in exact for v in row)
        rel = Fraction(1, 10**(12 if backend == "float64" else 25))
        assert max(abs(a - b) for ra, rb in zip(got, exact) for a, b in zip(ra, rb)) <= rel * scale
        assert resid <= rel * 10
