"""Figures of a learning-rate sweep (matplotlib, Agg, no pyplot state).

Each function takes a :class:`numerics.sweep.SweepResult` and a directory, draws one figure that
reads without the surrounding text (title, axis labels with units, legend), writes a PNG and
returns its path. Points confirmed at two precisions are drawn filled, float64-only points
hollow. Nothing here computes mathematics: every reference line comes from the result's
``predicted`` block (the theory layer) or from its observations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["sweep_figures", "sharpness_figure", "l1_figure", "risk_figure", "path_figure",
           "edge_figure"]

DPI = 130
C_PRED, C_OBS, C_LIMIT = "tab:red", "tab:green", "0.35"


def _f(v):
    return None if v is None else float(v)


def _figure(width=8.0, height=5.0):
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path


def _series(result, key):
    """``(eta, value, confirmed)`` arrays over the converged grid points (raw float64 values)."""
    etas, vals, conf = [], [], []
    for e in result.etas:
        row = result.grid[e]
        if row["status"] != "converged" or row.get(key) is None:
            continue
        etas.append(float(e))
        vals.append(row[key])
        conf.append(e in result.confirm and result.confirm[e]["status"] == "converged")
    return np.array(etas), np.array(vals, dtype=float), np.array(conf, dtype=bool)


def _scatter(ax, etas, vals, conf, color, label):
    if len(etas):
        ax.plot(etas, vals, "-", color=color, lw=0.8, alpha=0.5)
    if conf.any():
        ax.plot(etas[conf], vals[conf], "o", color=color, ms=4.5,
                label=f"{label} (confirmed at two precisions)")
    if (~conf).any():
        ax.plot(etas[~conf], vals[~conf], "o", mfc="none", color=color, ms=4.5,
                label=f"{label} (float64 only)")


def _failed_regions(ax, result):
    """Shade the learning rates whose float64 run did not converge (grey) or diverged (dark):
    one band per run of neighbouring grid points with one status."""
    etas = [float(e) for e in result.etas]
    step = (etas[-1] - etas[0]) / max(1, len(etas) - 1)
    labelled = set()
    start = None
    for i, e in enumerate(result.etas):
        status = result.grid[e]["status"]
        if start is None:
            start = i
        nxt = result.grid[result.etas[i + 1]]["status"] if i + 1 < len(etas) else None
        if nxt == status:
            continue
        if status != "converged":
            color = "0.85" if status == "not_converged" else "0.6"
            label = {"not_converged": "not converged in the step budget",
                     "diverged": "diverged"}[status]
            ax.axvspan(etas[start] - step / 2, etas[i] + step / 2, color=color, lw=0,
                       label=None if status in labelled else label, zorder=0)
            labelled.add(status)
        start = None


def _eta_lines(ax, result, *, limits=True):
    pred = result.predicted
    if result.eta_c_predicted is not None:
        ax.axvline(result.eta_c_predicted, color=C_PRED, ls="--", lw=1.2,
                   label=f"predicted eta_c = 2/S(beta_GF) = {result.eta_c_predicted:.5f}")
    for key, ls in (("eta_plateau", (0, (1, 2))), ("eta_path", (0, (3, 1, 1, 1)))):
        v = pred.get(key)
        if v is not None and (key != "eta_path" or pred.get("s_gf_at_end") is False):
            ax.axvline(_f(v), color=C_PRED, ls=ls, lw=0.9, alpha=0.7,
                       label=f"{key} = {_f(v):.5f}")
    if result.eta_c_observed is not None:
        ax.axvline(result.eta_c_observed, color=C_OBS, ls=":", lw=1.6,
                   label=f"observed eta_c = {result.eta_c_observed:.5f}")
    if limits and pred.get("eta_no_stable_interpolator") is not None:
        ax.axvline(_f(pred["eta_no_stable_interpolator"]), color=C_LIMIT, ls="-.", lw=1,
                   label="1/(2 y x_min): no stable interpolator above "
                         f"({_f(pred['eta_no_stable_interpolator']):.4g})")


def sharpness_figure(result, out_dir) -> Path:
    """Final sharpness against eta, with ``2/eta``, ``s_GF`` and the two ``eta_c``."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    _failed_regions(ax, result)
    etas, S, conf = _series(result, "S")
    grid = np.linspace(float(result.etas[0]), float(result.etas[-1]), 400)
    ax.plot(grid, 2 / grid, color="tab:orange", lw=1.5, label="2/eta (linear stability bound)")
    pred = result.predicted
    if pred.get("s_gf") is not None:
        ax.axhline(_f(pred["s_gf"]), color="tab:purple", ls=":", lw=1,
                   label=f"S(beta_GF) = {_f(pred['s_gf']):.5f} (gradient-flow limit)")
    for key, colour, name in (("min_norm", "tab:brown", "min-norm"),
                              ("min_sharpness", "tab:cyan", "min-sharpness")):
        if pred.get(key):
            ax.axhline(_f(pred[key]["sharpness"]), color=colour, ls="--", lw=1,
                       label=f"{name} interpolator: S = {_f(pred[key]['sharpness']):.4g}")
    _scatter(ax, etas, S, conf, "tab:blue", "final S of GD")
    _eta_lines(ax, result)
    lo = min([*S, *([_f(pred["min_sharpness"]["sharpness"])] if pred.get("min_sharpness")
                    else [])], default=1.0)
    hi = max([*S, *([_f(pred["s_gf"])] if pred.get("s_gf") else []),
              *([_f(pred["min_norm"]["sharpness"])] if pred.get("min_norm") else [])],
             default=4.0)
    ax.set_ylim(lo * 0.9, hi * 1.12)
    ax.set_xlim(float(result.etas[0]), float(result.etas[-1]))
    ax.set_xlabel("learning rate eta")
    ax.set_ylabel("final sharpness S = max |eig Hess L|")
    ax.set_title("Final sharpness of GD: flow-aligned plateau, then S just below 2/eta")
    ax.legend(fontsize=7, loc="lower left")
    _transition_inset(ax, result)
    return _save(fig, Path(out_dir) / "sharpness.png")


def _transition_inset(ax, result):
    """A zoom on the refinement runs around the observed eta_c."""
    bracket = result.eta_c.get("grid_bracket")
    if not bracket or not result.refine:
        return
    lo, hi = (float(v) for v in bracket)
    pts = sorted((float(e), r["S"], r["status"]) for e, r in result.refine.items()
                 if lo <= float(e) <= hi and r.get("S") is not None)
    pts += [(lo, result.grid[bracket[0]]["S"], "converged"),
            (hi, result.grid[bracket[1]]["S"], "converged")]
    pts.sort()
    if len(pts) < 3:
        return
    ins = ax.inset_axes([0.62, 0.55, 0.36, 0.4])
    e = np.array([p[0] for p in pts])
    s = np.array([p[1] for p in pts])
    ok = np.array([p[2] == "converged" for p in pts])
    g = np.linspace(lo, hi, 100)
    ins.plot(g, 2 / g, color="tab:orange", lw=1)
    ins.plot(e[ok], s[ok], ".", color="tab:blue", ms=4)
    if (~ok).any():
        ins.plot(e[~ok], s[~ok], "x", color="tab:blue", ms=4)
    if result.eta_c_predicted is not None:
        ins.axvline(result.eta_c_predicted, color=C_PRED, ls="--", lw=1)
    if result.eta_c_observed is not None:
        ins.axvline(result.eta_c_observed, color=C_OBS, ls=":", lw=1.4)
    ins.set_title("zoom: refinement runs near eta_c", fontsize=7)
    ins.tick_params(labelsize=6)


def l1_figure(result, out_dir) -> Path:
    """``||beta||_1`` of GD's limit against eta, with the two implicit biases' norms."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    _failed_regions(ax, result)
    etas, l1, conf = _series(result, "l1_norm")
    _scatter(ax, etas, l1, conf, "tab:blue", "||beta||_1 of GD's limit")
    pred = result.predicted
    if pred.get("min_norm"):
        ax.axhline(_f(pred["min_norm"]["l1_norm"]), color="tab:brown", ls="--", lw=1,
                   label=f"min-norm interpolator: {_f(pred['min_norm']['l1_norm']):.4g}")
        ax.axhline(_f(pred["min_sharpness"]["l1_norm"]), color="tab:cyan", ls="--", lw=1,
                   label="min-sharpness interpolator: "
                         f"{_f(pred['min_sharpness']['l1_norm']):.4g}")
    if pred.get("beta_gf") is not None:
        ax.axhline(sum(_f(b) for b in pred["beta_gf"]), color="tab:purple", ls=":", lw=1,
                   label="gradient-flow limit")
    _eta_lines(ax, result)
    ax.set_xlim(float(result.etas[0]), float(result.etas[-1]))
    ax.set_xlabel("learning rate eta")
    ax.set_ylabel("||beta||_1 at the end of GD")
    ax.set_title("The l1 norm of GD's limit grows past eta_c (norm bias gives way)")
    ax.legend(fontsize=7, loc="upper left")
    return _save(fig, Path(out_dir) / "l1_norm.png")


def risk_figure(result, out_dir) -> Path | None:
    """Risk against eta (and expected risk under the prior), with the interpolators' risks."""
    panels = []
    pred = result.predicted
    if result.problem.beta_star is not None:
        bs = ", ".join(f"{float(v):g}" for v in result.problem.beta_star)
        panels.append(("risk", f"risk ||beta - beta*||^2, beta* = ({bs})", pred.get("point")))
    if pred.get("mu") is not None:
        panels.append(("expected_risk", "expected risk, beta* uniform on the zero-loss set",
                       pred.get("uniform")))
    if not panels:
        return None
    fig = _figure(8.0, 4.2 * len(panels))
    for i, (key, label, block) in enumerate(panels):
        ax = fig.add_subplot(len(panels), 1, i + 1)
        _failed_regions(ax, result)
        etas, vals, conf = _series(result, key)
        _scatter(ax, etas, vals, conf, "tab:blue", "GD's limit")
        if block:
            n, s, o = (_f(block[k]) for k in ("risk_min_norm", "risk_min_sharpness",
                                              "risk_optimal"))
            ax.axhline(n, color="tab:brown", ls="--", lw=1.4,
                       label=f"min-norm interpolator: {n:.4g}")
            ax.axhline(s, color="tab:cyan", ls=(0, (2, 3)), lw=1.4,
                       label=f"min-sharpness interpolator: {s:.4g}"
                             + (" (equal to min-norm here)" if n == s else ""))
            ax.axhline(o, color="black", ls=":", lw=1,
                       label=f"optimal interpolator: {o:.4g}")
            if block.get("eta_star") is not None:
                ax.axvline(_f(block["eta_star"]), color="tab:olive", ls="--", lw=1.2,
                           label="predicted best eta* = 2/S(optimum) = "
                                 f"{_f(block['eta_star']):.4g}")
        if result.best.get("eta") is not None and result.best.get("risk_name") == key:
            ax.axvline(float(result.best["eta"]), color=C_OBS, ls=":", lw=1.6,
                       label=f"observed best eta = {float(result.best['eta']):.4f}")
        if result.eta_c_predicted is not None:
            ax.axvline(result.eta_c_predicted, color=C_PRED, ls="--", lw=0.8,
                       label="predicted eta_c")
        ax.set_xlim(float(result.etas[0]), float(result.etas[-1]))
        top = max([*vals, *([n, s] if block else [])], default=1.0)
        bottom = min([*vals, *([o] if block else [])], default=0.0)
        ax.set_ylim(bottom - 0.05 * (top - bottom), top + 0.6 * (top - bottom))
        ax.set_xlabel("learning rate eta")
        ax.set_ylabel(key.replace("_", " "))
        ax.set_title(label[0].upper() + label[1:], fontsize=10)  # its shape is what the data show
        ax.legend(fontsize=6.5, loc="upper center", ncol=2)
    return _save(fig, Path(out_dir) / "risk.png")


def path_figure(result, out_dir) -> Path | None:
    """Where GD's limit sits on the zero-loss set as eta grows (d = 2 segment, d = 3 simplex)."""
    pred = result.predicted
    d = result.problem.d
    if not pred.get("one_sample_theory") or d not in (2, 3):
        return None
    x = [float(v) for v in result.problem.X[0]]
    y = float(result.problem.y[0])
    etas, betas = [], []
    for e in result.etas:
        row = result.grid[e]
        if row["status"] == "converged" and row.get("beta") is not None:
            etas.append(float(e))
            betas.append(row["beta"])
    betas = np.array(betas, dtype=float).reshape(-1, d)
    if d == 2:
        proj = lambda b: np.asarray(b, dtype=float).reshape(-1, 2)  # noqa: E731
    else:
        V = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])

        def proj(b):  # barycentric coordinates of M: lambda_i = x_i beta_i / y
            lam = np.asarray(b, dtype=float).reshape(-1, 3) * np.array(x) / y
            return lam @ V
    fig = _figure(7.0, 6.0)
    ax = fig.add_subplot(1, 1, 1)
    verts = [tuple((y / x[i]) * (j == i) for j in range(d)) for i in range(d)]
    P = proj(verts + [verts[0]])
    ax.plot(P[:, 0], P[:, 1], "-", color="0.4", lw=1.2, label="zero-loss set M")
    centre = proj(verts).mean(axis=0)
    for i, v in enumerate(verts):
        p = proj(v)[0]
        u = centre - p
        u = u / (np.hypot(*u) or 1.0)
        right = u[0] < 0
        ax.annotate(f"vertex (y/x_{i + 1}) e_{i + 1}", p, textcoords="offset points",
                    xytext=(-10, 12) if right else (10, -3), ha="right" if right else "left",
                    fontsize=8)
    marks = [("min_norm", "s", "tab:brown", "min-norm interpolator"),
             ("min_sharpness", "s", "tab:cyan", "min-sharpness interpolator")]
    for key, m, c, label in marks:
        if pred.get(key):
            p = proj(pred[key]["beta"])[0]
            ax.plot(*p, m, color=c, ms=10, label=label, zorder=5)
    if pred.get("beta_gf") is not None:
        p = proj(pred["beta_gf"])[0]
        ax.plot(*p, "*", color="tab:purple", ms=14, label="gradient-flow limit", zorder=6)
    for key, m, c, label in (("point", "D", "black", "optimal interpolator (beta* point)"),
                             ("uniform", "P", "tab:gray",
                              "optimal interpolator (uniform prior)")):
        if pred.get(key):
            p = proj(pred[key]["optimal"])[0]
            ax.plot(*p, m, color=c, ms=8, mfc="none", mew=1.6, label=label, zorder=6)
    if len(etas):
        Q = proj(betas)
        sc = ax.scatter(Q[:, 0], Q[:, 1], c=etas, cmap="viridis", s=22, zorder=7,
                        label="GD's limit (colour = eta)")
        fig.colorbar(sc, ax=ax, label="learning rate eta")
    if d == 2 and pred.get("beta_gf") is not None and len(etas):
        _flow_inset(ax, proj, pred, betas, etas, verts)
    if d == 2:
        ax.set_xlabel("beta_1")
        ax.set_ylabel("beta_2")
        ax.set_title("GD's limit moves along the zero-loss segment as eta grows")
    else:
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("GD's limit on the zero-loss simplex (barycentric view)")
    ax.legend(fontsize=7, loc="best")
    return _save(fig, Path(out_dir) / "path.png")


def _flow_inset(ax, proj, pred, betas, etas, verts):
    """Zoom on the gradient-flow limit, where the flow-aligned limits cluster."""
    g = proj(pred["beta_gf"])[0]
    Q = proj(betas)
    near = np.hypot(*(Q - g).T)
    span = max(np.sort(near)[min(len(near) - 1, 3)] * 1.6, 1e-3)
    ins = ax.inset_axes([0.1, 0.1, 0.3, 0.3])
    P = proj(verts)
    ins.plot(P[:, 0], P[:, 1], "-", color="0.4", lw=1)
    ins.scatter(Q[:, 0], Q[:, 1], c=etas, cmap="viridis", s=14,
                vmin=min(etas), vmax=max(etas))
    ins.plot(*g, "*", color="tab:purple", ms=11)
    if pred.get("min_norm"):
        ins.plot(*proj(pred["min_norm"]["beta"])[0], "s", color="tab:brown", ms=8)
    ins.set_xlim(g[0] - span, g[0] + span)
    ins.set_ylim(g[1] - span, g[1] + span)
    ins.set_title("zoom: near the gradient-flow limit", fontsize=7)
    ins.tick_params(labelsize=6)
    ax.indicate_inset_zoom(ins, edgecolor="0.5")


#: the edge figure's layers: (key in a bin, label, colour, hatch), bottom to top
_EDGE_LAYERS = (("converged", "converged (both precisions)", "tab:green", None),
                ("precision_dependent", "precision-dependent (the two precisions differ)",
                 "tab:orange", "//"),
                ("not_converged", "not converged in the step budget (both)", "0.8", None),
                ("diverged", "diverged (both)", "0.45", None))


def edge_figure(result, out_dir) -> Path | None:
    """The measured convergence edge: per bin of learning rates, the stacked fractions of
    sampled runs that converged, depended on the precision, did not converge or diverged."""
    edge = result.edge
    if edge is None:
        return None
    from fractions import Fraction

    fig = _figure(8.0, 4.6)
    ax = fig.add_subplot(1, 1, 1)
    lo = np.array([float(Fraction(b["eta_lo"])) for b in edge.bins])
    hi = np.array([float(Fraction(b["eta_hi"])) for b in edge.bins])
    n = np.array([b["samples"] for b in edge.bins], dtype=float)
    bottom = np.zeros(len(lo))
    for key, label, color, hatch in _EDGE_LAYERS:
        frac = np.array([b[key] for b in edge.bins]) / n
        ax.bar(lo, frac, width=hi - lo, bottom=bottom, align="edge", color=color,
               hatch=hatch, edgecolor="white", lw=0.6, label=label)
        bottom += frac
    ci = np.array([b["converged_ci95"] for b in edge.bins], dtype=float)
    mid = (lo + hi) / 2
    conv = np.array([b["converged"] for b in edge.bins]) / n
    ax.errorbar(mid, conv, yerr=[np.clip(conv - ci[:, 0], 0, None),
                                 np.clip(ci[:, 1] - conv, 0, None)],
                fmt="none", ecolor="black", elinewidth=0.9, capsize=3,
                label="95% interval of the converged fraction")
    last = result.stability.get("last_converged")
    if last is not None and lo[0] <= float(last) <= hi[-1]:
        ax.axvline(float(last), color=C_OBS, ls=":", lw=1.6,
                   label=f"last converged grid point ({float(last):.5g})")
    limit = result.predicted.get("eta_no_stable_interpolator")
    if limit is not None and lo[0] <= float(limit) <= hi[-1]:
        ax.axvline(float(limit), color=C_LIMIT, ls="-.", lw=1,
                   label=f"1/(2 y x_min) = {float(limit):.4g}: no stable interpolator above")
    ax.set_xlim(lo[0], hi[-1])
    ax.set_ylim(0, 1.32)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel("learning rate eta (bins)")
    ax.set_ylabel("fraction of sampled learning rates")
    ax.set_title(f"The convergence edge: {edge.spec.samples} learning rates per bin, "
                 f"{' vs '.join(edge.precisions)}, {edge.steps} steps", fontsize=10)
    ax.legend(fontsize=7, loc="upper right", ncol=2)
    return _save(fig, Path(out_dir) / "edge.png")


def sweep_figures(result, out_dir, progress=None) -> dict:
    """All figures of a sweep; returns ``{name: path}`` for those that apply. ``progress`` is
    called as ``progress("figures", done, total)``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    draw = {"sharpness": sharpness_figure, "l1_norm": l1_figure, "risk": risk_figure,
            "path": path_figure, "edge": edge_figure}
    figures = {}
    for done, (name, figure) in enumerate(draw.items()):
        if progress is not None:
            progress("figures", done, len(draw))
        figures[name] = figure(result, out_dir)
    if progress is not None:
        progress("figures", len(draw), len(draw))
    return {k: v for k, v in figures.items() if v is not None}
