"""``normsharp derive NAME``: print a symbolic formula of the theory for symbolic data."""

from __future__ import annotations

import sympy as sp

import theory as T

from .._args import positive_int

#: limits that keep the symbolic output printable and the run short
MAX_D, MAX_STEPS = 12, 6

NAMES = ("hessian", "sharpness", "min-norm", "min-sharpness", "pareto", "thresholds",
         "gf-limit", "gd-identity", "risk", "eta-star")


DESCRIPTION = ("Symbolic formulas of the shared one-sample model for positive symbols x1..xd, y,"
               " alpha, eta.")


def add_arguments(p) -> None:
    p.add_argument("name", choices=NAMES, metavar="NAME", help=", ".join(NAMES))
    p.add_argument("--d", type=positive_int, default=2, help="dimension d >= 2 (default 2)")
    p.add_argument("--steps", type=positive_int, default=2,
                   help=f"number of GD steps for gd-identity (default 2, at most {MAX_STEPS}: "
                   "the symbolic product grows quickly)")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of plain text")


def symbols(d: int):
    x = sp.symbols(f"x1:{d + 1}", positive=True)
    w = sp.symbols(f"w1:{d + 1}", real=True)
    beta = sp.symbols(f"beta1:{d + 1}", nonnegative=True)
    y, alpha, eta = sp.symbols("y alpha eta", positive=True)
    return x, w, beta, y, alpha, eta


def derive(name: str, d: int = 2, steps: int = 2) -> list[tuple[str, object]]:
    """``(label, sympy object)`` pairs for formula ``name`` in dimension ``d``."""
    if d < 2:
        raise T.DomainError("--d", d, "dimension d >= 2 is required")
    if d > MAX_D:
        raise T.DomainError("--d", d, f"dimension d <= {MAX_D} (symbolic output grows fast)")
    if steps > MAX_STEPS:
        raise T.DomainError("--steps", steps, f"at most {MAX_STEPS} steps")
    x, w, beta, y, alpha, eta = symbols(d)
    if name == "hessian":
        # the data's label written through the residual r = <x, w*w> - y: theory's formulas
        # then read in r (the expanded residual would repeat in every entry)
        r = sp.Symbol("r", real=True)
        y_r = sum(xi * wi**2 for xi, wi in zip(x, w)) - r
        return [("Hess L(w), with the residual r  [R1]", T.hessian(x, y_r, w)),
                ("r = <x, w*w> - y  [R1]", T.residual(x, y, w)),
                ("det(Hess L - lambda I) in secular form (not expanded)  [R1]",
                 T.hessian_char_poly(x, y_r, w, expand=False))]
    if name == "sharpness":
        out = [("S on the zero-loss set <x, beta> = y  [R1]", T.zero_loss_sharpness(x, y, beta))]
        if d == 2:
            out.append(("S(w) = max|eig| at any point, d = 2  [R1]", T.sharpness(x, y, w)))
        return out
    if name in ("min-norm", "min-sharpness"):
        f = T.min_norm_interpolator if name == "min-norm" else T.min_sharpness_interpolator
        i = f(x, y)
        return [(f"beta  [{i.claim}]", sp.Matrix(i.beta)), (f"||beta||_1  [{i.claim}]",
                                                             i.l1_norm),
                (f"sharpness  [{i.claim}]", i.sharpness)]
    if name == "pareto":
        S = sp.Symbol("S", positive=True)
        a, b = sp.symbols("x_a x_b", positive=True)
        out = [("||beta||_1 on M as a function of S, d = 2  [R4]",
                T.norm_sharpness_identity(x[:2], y, S))] if d == 2 else []
        out.append(("front on the edge joining adjacent sorted x_a < x_b  [R4]",
                    T.norm_sharpness_identity((a, b), y, S)))
        out.append(("bounds: S in [4 y x_min, 4 y x_max], ||beta||_1 in [y/x_max, y/x_min]  [R4]",
                    (T.zero_loss_bounds(x, y).sharpness, T.zero_loss_bounds(x, y).l1_norm)))
        return out
    if name == "thresholds":
        t = T.stability_thresholds(x, y)
        return [("beta^N unstable for eta >  [R5]", t.eta_min_norm_unstable),
                ("no stable interpolator for eta >  [R5]", t.eta_no_stable_interpolator),
                ("Jacobian eigenvalue at an interpolator  [R5]",
                 T.jacobian_eigenvalue(sp.Symbol("S", positive=True), eta))]
    if name == "gf-limit":
        g = T.gradient_flow_limit(x, y, alpha)
        return [("equation for lambda  [R6]", g.equation), ("beta^GF  [R6]", sp.Matrix(g.beta)),
                ("s_GF (sharpness at the limit)  [R6]", g.sharpness), ("eta_c = 2/s_GF  [R6]",
                                                                      g.eta_c),
                ("potential minimised on M  [R6]", T.gradient_flow_potential(alpha, beta))]
    if name == "gd-identity":
        r = sp.symbols(f"r0:{steps}", real=True)
        e = T.effective_initialisation(x, alpha, eta, r)
        return [(f"beta_K after K = {steps} steps  [R7]",
                 sp.Matrix(T.gd_product_identity(x, alpha, eta, r))),
                ("G_i (effective initialisation exponent)  [R7]", sp.Matrix(e.G)),
                ("alpha_eff_i^2 = alpha^2 exp(-G_i)  [R7]", sp.Matrix(e.alpha_eff_sq))]
    if name == "risk":
        prior = T.uniform_prior(x, y)
        return [("expected risk under the uniform prior on M, Sigma = I  [R8]",
                 T.expected_risk(beta, prior)),
                ("prior mean (centroid)  [R8]", sp.Matrix(prior.mean))]
    if name == "eta-star":
        b = T.predicted_best_learning_rate(x, y)
        return [("eta* = 2 / S(mu), uniform prior  [R9]", sp.simplify(b.eta_star)),
                ("best interpolator mu  [R8]", sp.Matrix(b.target))]
    raise T.DomainError("NAME", name, f"one of {', '.join(NAMES)}")  # pragma: no cover


def run(args) -> int:
    for label, obj in derive(args.name, args.d, args.steps):
        print(f"# {label}")
        print(sp.latex(obj) if args.latex else sp.pretty(obj, use_unicode=False))
        print()
    return 0
