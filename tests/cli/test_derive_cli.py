"""``normsharp derive NAME``: every formula, plain and LaTeX, d = 2 and 3.

The printed blocks are checked against :func:`normsharp.commands.derive.derive` (the objects the
command prints), and those objects against formulas derived here by hand with sympy.
"""

from __future__ import annotations

import pytest
import sympy as sp

from normsharp.commands.derive import NAMES, derive


def _symbols(d):
    x = sp.symbols(f"x1:{d + 1}", positive=True)
    w = sp.symbols(f"w1:{d + 1}", real=True)
    beta = sp.symbols(f"beta1:{d + 1}", nonnegative=True)
    y, alpha, eta = sp.symbols("y alpha eta", positive=True)
    return x, w, beta, y, alpha, eta


def _blocks(text: str) -> list[tuple[str, str]]:
    """``# label`` headers followed by the formula text, as (label, body) pairs."""
    out, label, body = [], None, []
    for line in text.splitlines():
        if line.startswith("# "):
            if label is not None:
                out.append((label, "\n".join(body).strip("\n")))
            label, body = line[2:], []
        else:
            body.append(line)
    if label is not None:
        out.append((label, "\n".join(body).strip("\n")))
    return out


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("name", NAMES)
def test_every_formula_prints(cli, name, d):
    objects = derive(name, d)
    plain = cli(["derive", name, "--d", d])
    assert plain.code == 0 and plain.err == ""
    blocks = _blocks(plain.out)
    assert [b[0] for b in blocks] == [label for label, _ in objects]
    assert all(body.strip() for _, body in blocks)
    latex = cli(["derive", name, "--d", d, "--latex"])
    assert latex.code == 0 and latex.err == ""
    lblocks = _blocks(latex.out)
    assert [b[0] for b in lblocks] == [label for label, _ in objects]
    for (label, body), (_, obj) in zip(lblocks, objects, strict=True):
        assert body == sp.latex(obj), label
        assert body.count("{") == body.count("}"), label
    for label, _ in objects:
        assert "[" in label and label.rstrip().endswith("]")  # each formula cites its claim


def test_eta_star_is_d_over_2_y_sum_x(cli):
    for d in (2, 3, 4):
        x, _, _, y, _, _ = _symbols(d)
        expected = sp.Integer(d) / (2 * y * sum(x))
        (label, obj), (_, mu) = derive("eta-star", d)
        assert sp.simplify(obj - expected) == 0
        assert all(sp.simplify(m - y / (d * xi)) == 0 for m, xi in zip(mu, x, strict=True))
        printed = _blocks(cli(["derive", "eta-star", "--d", d, "--latex"]).out)[0][1]
        assert printed == sp.latex(expected)


def test_hessian_formula_is_R1(cli):
    """The Hessian (written with the residual r) and the secular form against sympy.hessian
    and det(H - lambda I) of the loss, once r is put back as <x, w*w> - y."""
    x, w, _, y, _, _ = _symbols(3)
    L = (sum(xi * wi**2 for xi, wi in zip(x, w, strict=True)) - y) ** 2 / 2
    H = sp.hessian(L, w)
    resid = sum(xi * wi**2 for xi, wi in zip(x, w, strict=True)) - y
    by_hand = sp.Matrix(3, 3, lambda i, j: 4 * x[i] * x[j] * w[i] * w[j]
                        + (2 * resid * x[i] if i == j else 0))
    (_, obj), (_, r_def), (_, secular) = derive("hessian", 3)
    r = sp.Symbol("r", real=True)
    assert sp.expand(r_def - resid) == 0
    assert sp.simplify(sp.Matrix(obj).subs(r, resid) - H) == sp.zeros(3, 3)
    assert sp.simplify(H - by_hand) == sp.zeros(3, 3)
    lam = sp.Symbol("lambda")
    assert sp.expand(secular.subs(r, resid) - (H - lam * sp.eye(3)).det()) == 0
    assert not isinstance(secular, sp.Poly) and secular != sp.expand(secular)  # not expanded


@pytest.mark.parametrize("d", [2, 3])
def test_zero_loss_sharpness_and_extremes(d):
    x, _, beta, y, _, _ = _symbols(d)
    (_, S), *_ = derive("sharpness", d)
    assert sp.expand(S - 4 * sum(xi**2 * bi for xi, bi in zip(x, beta, strict=True))) == 0
    numbers = {xi: sp.Rational(1, i + 1) for i, xi in enumerate(x)}  # x = (1, 1/2, 1/3)
    numbers[y] = 1
    _, (_, l1N), (_, SN) = derive("min-norm", d)
    _, (_, l1S), (_, SS) = derive("min-sharpness", d)
    assert (l1N.subs(numbers), SN.subs(numbers)) == (1, 4)          # y/x_max, 4 y x_max
    assert (l1S.subs(numbers), SS.subs(numbers)) == (d, sp.Rational(4, d))  # y/x_min, 4 y x_min


def test_thresholds_and_pareto_d2():
    x, _, _, y, _, eta = _symbols(2)
    (_, tN), (_, tS), (_, jac) = derive("thresholds", 2)
    numbers = {x[0]: 1, x[1]: sp.Rational(1, 2), y: 1}
    assert (tN.subs(numbers), tS.subs(numbers)) == (sp.Rational(1, 2), 1)
    S = sp.Symbol("S", positive=True)
    assert sp.expand(jac - (1 - eta * S)) == 0
    # R4, d = 2: on M, solve <x, beta> = y and 4 sum x_i^2 beta_i = S for beta, then add
    b1, b2 = sp.symbols("b1 b2")
    sol = sp.solve([x[0] * b1 + x[1] * b2 - y, 4 * (x[0] ** 2 * b1 + x[1] ** 2 * b2) - S],
                   [b1, b2], dict=True)[0]
    (_, l1_of_S), *_ = derive("pareto", 2)
    assert sp.simplify(l1_of_S - (sol[b1] + sol[b2])) == 0


def test_gf_limit_and_gd_identity():
    x, _, beta, y, alpha, eta = _symbols(2)
    (_, eq), (_, bgf), (_, sgf), (_, etac), (_, pot) = derive("gf-limit", 2)
    (lam,) = [s for s in eq.free_symbols if s.name == "lambda"]
    assert sp.simplify(eq.lhs - eq.rhs - (sum(alpha**2 * xi * sp.exp(lam * xi) for xi in x)
                                          - y)) == 0
    assert all(sp.simplify(b - alpha**2 * sp.exp(lam * xi)) == 0
               for b, xi in zip(bgf, x, strict=True))
    assert sp.simplify(sgf - 4 * sum(xi**2 * b for xi, b in zip(x, bgf, strict=True))) == 0
    assert sp.simplify(etac - 2 / sgf) == 0
    assert sp.simplify(pot - sum(b * sp.log(b / alpha**2) - b for b in beta)) == 0
    for steps in (1, 3):
        r = sp.symbols(f"r0:{steps}", real=True)
        (_, bK), (_, G), (_, eff) = derive("gd-identity", 2, steps)
        for i, xi in enumerate(x):
            by_hand = alpha**2 * sp.Mul(*[(1 - 2 * eta * rk * xi) ** 2 for rk in r])
            assert sp.expand(bK[i] - by_hand) == 0
            assert sp.simplify(eff[i] - by_hand * sp.exp(4 * eta * xi * sum(r))) == 0


def test_gd_identity_steps_option(cli):
    one = _blocks(cli(["derive", "gd-identity", "--steps", "1"]).out)
    three = _blocks(cli(["derive", "gd-identity", "--steps", "3"]).out)
    assert "K = 1" in one[0][0] and "K = 3" in three[0][0]
    assert "r2" in three[0][1] and "r1" not in one[0][1]


@pytest.mark.parametrize("d", [2, 3])
def test_risk_under_uniform_prior(d):
    x, _, beta, y, _, _ = _symbols(d)
    (_, risk), (_, mean) = derive("risk", d)
    # Dirichlet(1,..,1) weights on the vertices y/x_i e_i: E l_i = 1/d, E l_i^2 = 2/(d(d+1))
    second = sp.Rational(2, d * (d + 1))
    by_hand = sum(b**2 - 2 * b * y / (d * xi) + second * y**2 / xi**2
                  for b, xi in zip(beta, x, strict=True))
    assert sp.simplify(risk - by_hand) == 0
    assert all(sp.simplify(m - y / (d * xi)) == 0 for m, xi in zip(mean, x, strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_every_formula_at_the_largest_d(cli, name):
    """d = 12 (the limit): every formula prints (the Hessian used to expand and factor a
    characteristic polynomial in 25 symbols: over 10 minutes and 1.3 GB)."""
    from normsharp.commands.derive import MAX_D

    res = cli(["derive", name, "--d", MAX_D])
    assert res.code == 0 and res.err == ""
    assert [b[0] for b in _blocks(res.out)] == [label for label, _ in derive(name, MAX_D)]
    assert len(res.out) < 200_000


def test_secular_form_at_d_12_is_the_determinant():
    """At exact rational points the printed secular form equals det(H - lambda I) of the
    Hessian computed from its entries (an independent route: a numeric 12 x 12 determinant)."""
    from normsharp.commands.derive import MAX_D

    d = MAX_D
    x, w, _, y, _, _ = _symbols(d)
    (_, H), (_, _), (_, secular) = derive("hessian", d)
    r, lam = sp.Symbol("r", real=True), sp.Symbol("lambda")
    point = {**{xi: sp.Rational(k + 1, 3) for k, xi in enumerate(x)},
             **{wi: sp.Rational((-1) ** k * (k + 2), 5) for k, wi in enumerate(w)},
             r: sp.Rational(-2, 7), lam: sp.Rational(5, 11)}
    Hn = sp.Matrix(H).subs(point)
    assert secular.subs(point) == (Hn - point[lam] * sp.eye(d)).det()


def test_hessian_at_d_12_finishes_as_a_process():
    """A guard against the old behaviour (expanding the polynomial: over 10 minutes): the
    command ends well within a minute in a fresh process."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import normsharp

    root = Path(normsharp.__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "normsharp", "derive", "hessian", "--d", "12"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "secular form" in proc.stdout
