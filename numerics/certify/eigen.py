"""Certified eigenvalues of a symmetric ball matrix (Gershgorin discs after an approximate
diagonalisation), for the Gram matrix of E1 at the certified interpolator."""

from __future__ import annotations

from ..errors import NoConvergence
from .balls import _mid_mat


def symmetric_eigenvalues(G) -> list:
    r"""Enclosures of the eigenvalues of every real symmetric matrix in the ball matrix ``G``.

    Statement
    ---------
    With ``Q`` approximate eigenvectors of ``mid(G)`` (exact floating-point entries) and an Arb
    enclosure of ``Q^{-1}``, every symmetric ``A in G`` is similar to some ``B`` in the ball
    matrix ``Q^{-1} G Q``; by Gershgorin, the real eigenvalues of ``A`` lie in the union of the
    intervals ``[B_ii - R_i, B_ii + R_i]``, ``R_i = sum_{j != i} |B_ij|``, and a connected
    component made of ``c`` intervals holds exactly ``c`` eigenvalues.

    Parameters
    ----------
    G : flint.arb_mat, square ``n x n`` (``n >= 1``), whose midpoint is symmetric

    Returns
    -------
    list of arb
        ``n`` balls in decreasing order; the members of a cluster of overlapping discs each
        get the cluster's hull. The first ball encloses ``lambda_max``.

    Raises
    ------
    NoConvergence
        The approximate eigenvector matrix is singular at this precision.

    Notes
    -----
    Rigorous for inexact entries (upper bound on widths: first order in the off-diagonal
    residue, where symmetric perturbation theory would give second order). Computed in the
    caller's flint precision.

    References
    ----------
    S. Gershgorin (1931); [MFCKM26] E1 (the Gram form whose eigenvalues are wanted).

    Examples
    --------
    >>> import flint
    >>> from numerics.certify import arb_interval
    >>> G = flint.arb_mat([[1, flint.arb(0, 0.1)], [flint.arb(0, 0.1), 2]])
    >>> [[round(v, 6) for v in arb_interval(e)] for e in symmetric_eigenvalues(G)]
    [[1.9, 2.1], [0.9, 1.1]]
    """
    import flint

    return _eigen(flint, G, G.nrows())[0]


def _eigen(flint, G, n):
    """Certified eigenvalues of the symmetric ball matrix ``G`` (decreasing) and ``S``."""
    checks = {}
    if n == 1:
        S = G[0, 0]
        return [S], S, "n = 1: S = G_11 (a single ball)", checks
    arb = flint.arb
    Gmid = flint.acb_mat(_mid_mat(flint, G))
    _, R = Gmid.eig(right=True, algorithm="approx")
    Q = flint.arb_mat([[R[i, j].real.mid() for j in range(n)] for i in range(n)])
    try:
        Qinv = Q.inv()
    except ZeroDivisionError:  # pragma: no cover - approximate eigenvectors of a symmetric matrix
        raise NoConvergence("the eigenvector basis of the Gram matrix", "raise the precision") \
            from None
    B = Qinv * G * Q
    discs = []
    for i in range(n):
        radius = sum(abs(B[i, j]) for j in range(n) if j != i).upper() if n > 1 else arb(0)
        c = B[i, i]
        discs.append((c.lower() - radius, c.upper() + radius))
    discs.sort(key=lambda t: t[0].mid())
    clusters = []  # merged overlapping intervals, with the count of discs they hold
    for lo, hi in discs:
        if clusters and not (lo > clusters[-1][1]):
            clo, chi, cnt = clusters[-1]
            clusters[-1] = (clo, chi.max(hi), cnt + 1)
        else:
            clusters.append((lo, hi, 1))
    eigs = []
    for lo, hi, cnt in reversed(clusters):
        ball = lo.union(hi)
        eigs.extend([ball] * cnt)
    S = eigs[0]
    try:
        E = flint.acb_mat(G).eig()
        top = max((e.real for e in E), key=lambda a: a.mid())
        checks["arb acb_mat.eig (certified, simple eigenvalues)"] = (top, bool(top.overlaps(S)))
    except ValueError:
        pass  # Arb could not isolate the eigenvalues; Gershgorin above still stands
    method = ("Gershgorin discs of Q^-1 G Q (Q: approximate eigenvectors, Q^-1 enclosed in Arb; "
              "overlapping discs merged into clusters)")
    return eigs, S, method, checks
