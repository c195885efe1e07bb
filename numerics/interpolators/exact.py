"""Exact linear algebra over the rationals for the certificates (Fractions; python-flint's
``fmpq_mat`` where it is faster), and a certified enclosure of a largest eigenvalue.

Everything here is exact: a returned bound is a theorem about the rational input, not an
estimate. Floating-point or mpmath values enter only as *guesses* (an eigenvector, a shift),
which are then checked exactly.
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["fmpq_matrix", "fractions_of", "rref", "independent_columns", "solve_square",
           "is_positive_definite", "lambda_max_bounds", "project_onto", "matvec", "gram",
           "mp_context", "mp_fraction", "to_fmpq", "to_fraction"]

F = Fraction


def to_fmpq(v):
    """A python-flint ``fmpq`` of a rational (Fraction, int, fmpq)."""
    import flint

    if isinstance(v, flint.fmpq):
        return v
    v = F(v)
    return flint.fmpq(v.numerator, v.denominator)


def to_fraction(q) -> Fraction:
    """The Fraction of an ``fmpq`` (or of any rational)."""
    p = getattr(q, "p", None)
    return F(int(p), int(q.q)) if p is not None else F(q)


def fmpq_matrix(rows):
    """A python-flint ``fmpq_mat`` of a list of rows of rationals."""
    import flint

    return flint.fmpq_mat([[to_fmpq(v) for v in row] for row in rows])


def fractions_of(M) -> list:
    """The rows of an ``fmpq_mat`` as lists of Fractions."""
    return [[to_fraction(M[i, j]) for j in range(M.ncols())] for i in range(M.nrows())]


def rref(rows) -> tuple[list, list]:
    """Reduced row echelon form of a rational matrix and its pivot columns."""
    R, rank = fmpq_matrix(rows).rref()
    out = fractions_of(R)[:rank]
    pivots = [next(j for j, v in enumerate(row) if v != 0) for row in out]
    return out, pivots


def independent_columns(rows, order) -> list:
    """Greedily, the columns of ``rows`` in ``order`` that are linearly independent of the
    ones chosen before them, until a basis of the column space is reached (exact)."""
    m = len(rows)
    chosen: list = []
    basis: list = []  # reduced vectors with their pivot row
    target = fmpq_matrix(rows).rank() if rows else 0
    for j in order:
        v = [F(rows[i][j]) for i in range(m)]
        for piv, b in basis:
            if v[piv]:
                f = v[piv] / b[piv]
                v = [a - f * c for a, c in zip(v, b)]
        piv = next((i for i, a in enumerate(v) if a), None)
        if piv is not None:
            basis.append((piv, v))
            chosen.append(j)
            if len(chosen) == target:
                break
    return chosen


def solve_square(A, b) -> list | None:
    """The exact solution of ``A x = b`` for square ``A`` (None when ``A`` is singular)."""
    import flint

    M = fmpq_matrix(A)
    if M.det() == 0:
        return None
    x = M.solve(flint.fmpq_mat([[flint.fmpq(F(v).numerator, F(v).denominator)] for v in b]))
    return [row[0] for row in fractions_of(x)]


def matvec(A, x) -> list:
    """``A x`` exactly."""
    return [sum((F(a) * F(b) for a, b in zip(row, x) if a and b), F(0)) for row in A]


def gram(X, weights) -> list:
    """``X diag(weights) X^T`` exactly (``X`` a list of rows), as Fractions."""
    import flint

    Xm = fmpq_matrix(X)
    W = flint.fmpq_mat(len(weights), len(weights))
    for j, w in enumerate(weights):
        W[j, j] = to_fmpq(w)
    return fractions_of(Xm * W * Xm.transpose())


def is_positive_definite(M) -> bool:
    """Whether the symmetric rational matrix ``M`` is positive definite (exact ``LDL^T``: every
    pivot ``> 0``)."""
    A = [[to_fmpq(v) for v in row] for row in M]
    n = len(A)
    for k in range(n):
        p = A[k][k]
        if p <= 0:
            return False
        for i in range(k + 1, n):
            f = A[i][k] / p
            if f:
                row_k = A[k]
                A[i] = [a - f * c if j > k else a for j, (a, c) in enumerate(zip(A[i], row_k))]
    return True


def mp_context(dps: int):
    """A private mpmath context at ``dps`` digits (the global one is never touched)."""
    import mpmath

    ctx = mpmath.MPContext()
    ctx.dps = int(dps)
    return ctx


def mp_fraction(v) -> Fraction:
    """The exact Fraction of an ``mpf``."""
    sign, man, exp, _ = v._mpf_
    q = F(int(man)) * F(2) ** int(exp) if man else F(0)
    return -q if sign else q


def lambda_max_bounds(M, digits: int = 40) -> tuple[Fraction, Fraction]:
    r"""Rational ``lo <= lambda_max(M) <= hi`` for a symmetric rational matrix ``M``, with
    ``hi - lo`` about ``10^-digits`` times its scale.

    Statement
    ---------
    ``lo = v^T M v / v^T v`` for a rational ``v`` (Rayleigh: a lower bound for every ``v``) and
    ``hi`` such that ``hi I - M`` is positive definite, checked by an exact ``LDL^T``. ``v``
    and the guess for ``hi`` come from mpmath's symmetric eigensolver at ``digits + 20``
    digits; only the checks decide.

    Examples
    --------
    >>> lo, hi = lambda_max_bounds([[2, 1], [1, 2]], 30)
    >>> lo <= 3 <= hi, float(hi - lo) < 1e-28
    (True, True)
    """
    M = [[F(v) for v in row] for row in M]
    n = len(M)
    scale = max((abs(v) for row in M for v in row), default=F(0))
    if scale == 0:
        return F(0), F(0)
    ctx = mp_context(digits + 20)
    A = ctx.matrix([[ctx.mpf(v.numerator) / v.denominator for v in row] for row in M])
    E, Q = ctx.eigsy(A)
    top = max(range(n), key=lambda i: E[i])
    v = [mp_fraction(Q[i, top]) for i in range(n)]
    vv = sum(a * a for a in v)
    lo = sum(v[i] * M[i][j] * v[j] for i in range(n) for j in range(n) if v[i] and v[j]) / vv
    step = scale * F(1, 10 ** (digits + 2))
    hi = max(lo, mp_fraction(E[top])) + step
    for _ in range(200):
        if is_positive_definite([[(hi if i == j else 0) - M[i][j] for j in range(n)]
                                 for i in range(n)]):
            return lo, hi
        step *= 4
        hi += step
    raise ArithmeticError("no upper bound for lambda_max found")  # pragma: no cover


def project_onto(X, y, beta, free) -> list | None:
    """The point nearest to ``beta`` (Euclidean, moving only the coordinates in ``free``) with
    ``X beta = y`` exactly: ``beta + X_F^T (X_F X_F^T)^+ (y - X beta)`` on the rows of a row
    basis; ``None`` when no such point exists."""
    rows = [list(r) for r in X]
    free = list(free)
    r = [F(a) - b for a, b in zip(y, matvec(rows, beta))]
    XF = [[F(row[j]) for j in free] for row in rows]
    keep = independent_columns([list(c) for c in zip(*XF)], range(len(rows))) if free else []
    if any(v for v in r) and not keep:
        return None
    G = [[sum(a * b for a, b in zip(XF[i], XF[k])) for k in keep] for i in keep]
    lam = solve_square(G, [r[i] for i in keep]) if keep else []
    if lam is None:
        return None
    out = [F(b) for b in beta]
    for pos, j in enumerate(free):
        out[j] += sum(lam[a] * XF[i][pos] for a, i in enumerate(keep))
    return out if matvec(rows, out) == [F(v) for v in y] else None
