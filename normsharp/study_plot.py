"""The study's phase diagram (matplotlib, Agg, no pyplot state): one panel per class (norm bias
best, sharpness bias best, interior optimum), the fraction of instances in each cell
``(n/d, sparsity)`` as a coloured square, annotated with its Wilson 95% interval."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["phase_figure"]

DPI = 130
PANELS = (("norm", "norm bias best\n(least risk at the smallest eta)"),
          ("sharpness", "sharpness bias best\n(least risk at the largest converging eta)"),
          ("interior", "interior optimum\n(U-shaped risk)"))


def phase_figure(study: dict, path) -> Path:
    """Draw ``study`` (the ``study.json`` object) to ``path`` (PNG); returns the path."""
    cells = [c for c in study["cells"] if c["classified"]]
    ratios = sorted({c["n_over_d"] for c in cells})
    sparsities = sorted({c["sparsity"] for c in cells})
    fig = Figure(figsize=(4.2 * len(PANELS) + 1.2, 0.55 * len(sparsities) + 2.6), dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(PANELS), sharey=True)
    image = None
    for ax, (cls, title) in zip(axes, PANELS):
        for c in cells:
            i, j = ratios.index(c["n_over_d"]), sparsities.index(c["sparsity"])
            frac = c["fractions"][cls]
            lo, hi = c["wilson95"][cls]
            image = ax.scatter([i], [j], c=[frac], cmap="viridis", vmin=0, vmax=1, s=1100,
                               marker="s")
            ax.annotate(f"{frac:.2f}\n[{lo:.2f},{hi:.2f}]", (i, j), ha="center", va="center",
                        fontsize=5.5, color="white" if frac < 0.6 else "black")
        ax.set_xticks(range(len(ratios)), [f"{r:.2g}" for r in ratios])
        ax.set_yticks(range(len(sparsities)), [str(s) for s in sparsities])
        ax.set_xlim(-0.6, len(ratios) - 0.4)
        ax.set_ylim(-0.6, len(sparsities) - 0.4)
        ax.set_xlabel("n / d (samples per coordinate)")
        ax.set_title(title, fontsize=9)
    axes[0].set_ylabel("sparsity of beta*")
    a = study["arguments"]
    fig.suptitle(f"Which bias wins? fraction of instances per cell (Wilson 95% interval); "
                 f"{a['instances']} instances per cell, {a['param']} parametrisation, alpha = "
                 f"{a['alpha']}, noise {a['noise']}", fontsize=9)
    if image is not None:
        fig.colorbar(image, ax=list(axes), fraction=0.02, label="fraction of instances")
    fig.savefig(path, dpi=DPI)
    return Path(path)
