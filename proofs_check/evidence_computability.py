"""The computability section of ``normsharp reproduce`` ([BFFK25]), with its verdicts.

:func:`computability_evidence` runs three things and judges them:

* **the XOR table** (C2): which small ReLU architectures with integer weight grids fit XOR on
  ``{0,1}^2`` exactly (labels 0/1) or by sign (labels -1/+1), decided by
  :func:`theory.quantized.decide_fit`; every answer is checked by an independent route: a
  witness re-verified by the plain Fraction evaluator, and every answer compared with a brute
  force over all candidates (pure Python, or vectorised integer numpy up to
  :data:`BRUTE_LIMIT` candidates), or, beyond it, with one of two proofs: a network whose
  hidden layers all have width 1 computes a monotone function of one affine form (XOR is
  not one: ``l(00) + l(11) = l(01) + l(10)``), and a network with nonnegative weights is
  nondecreasing in each input (XOR is not);
* **the adversary** (C5, C6, C7) against each built-in classifier of
  :mod:`numerics.classifiers` and against its high-precision failure detector; the exit-flag
  classifier must exit instead of losing;
* **the quantization bridge** (an experiment, :func:`numerics.bridge.bridge_experiment`):
  readings, no verdict.

API for the report: ``ev = computability_evidence(quick=False, progress=None)``;
``ev.verdicts`` (:class:`~proofs_check.sweep_reading.Verdict` objects, ids C2, C5, C6, C7),
``ev.refuted`` (their ids), ``ev.title`` and ``ev.markdown(figure=None)`` (the section body;
``figure`` a relative path to the bridge figure, drawn by the caller with
``normsharp.bridge_plot.bridge_figure(ev.bridge.to_json(), directory)``), ``ev.to_json()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from . import computability_reference as ref
from .sweep_reading import Verdict, verdict_of

__all__ = ["ComputabilityEvidence", "computability_evidence", "xor_table", "adversary_table",
           "XOR_X", "XOR_ARCHITECTURES", "XOR_GRIDS", "CLASSIFIERS", "BRUTE_LIMIT"]

XOR_X = ((0, 0), (0, 1), (1, 0), (1, 1))
XOR_LABELS = {"exact": (0, 1, 1, 0), "sign": (-1, 1, 1, -1)}
XOR_ARCHITECTURES = ((2, 1, 1), (2, 2, 1), (2, 3, 1), (2, 1, 1, 1), (2, 2, 2, 1))
XOR_GRIDS = (("{0,1}", (0, 1)), ("{-1,1}", (-1, 1)), ("{-1,0,1}", (-1, 0, 1)),
             ("{-2..2}", (-2, -1, 0, 1, 2)))
#: largest space checked by an independent brute force in the table
BRUTE_LIMIT = 2_000_000
#: the built-in classifiers the adversary meets, and the thresholds
CLASSIFIERS = ("float64", "mpmath:15", "mpmath:50", "interval:4", "interval:32", "exit:30")
THRESHOLDS = (Fraction(1, 3), Fraction(0), Fraction(-7, 5))


@dataclass
class ComputabilityEvidence:
    """What :func:`computability_evidence` found (see the module notes for the API)."""

    xor: list
    adversary: list
    bridge: object
    timings: dict = field(default_factory=dict)
    verdicts: list = field(default_factory=list)
    title: str = "Computability and the quantized escape ([BFFK25])"

    @property
    def refuted(self) -> list:
        return [v.id for v in self.verdicts if v.verdict == "refuted"]

    def to_json(self) -> dict:
        return {"xor": self.xor, "adversary": self.adversary,
                "bridge": self.bridge.to_json(), "bridge_readings": bridge_readings(self.bridge),
                "verdicts": [v.json() for v in self.verdicts], "timings": self.timings}

    def markdown(self, figure: str | None = None) -> str:
        t = self.timings
        lines = ["Source: Boche, Fojtik, Fono, Kutyniok, arXiv 2408.06212 ([BFFK25]), as "
                 "summarised in the specification. Verdicts:", ""]
        lines += [f"- **{v.id}** {v.verdict}: {v.evidence}" for v in self.verdicts]
        lines += ["", f"### XOR on {{0,1}}^2 with ReLU hidden layers and a linear output "
                  f"(decided in {t.get('xor_search', 0):.2f} s, checked independently in "
                  f"{t.get('xor_check', 0):.2f} s)", "",
                  "| architecture | grid | labels | answer | candidate / space | work | check |",
                  "|---|---|---|---|---|---|---|"]
        for r in self.xor:
            ans = "**fits**" if r["found"] else "none"
            lines.append(f"| {r['arch']} | {r['grid']} | {r['labels']} | {ans} | "
                         f"{r['checked']} / {r['space']} | {r['evaluated']} | "
                         f"{r['verdict']}: {r['check']} |")
        wit = [r for r in self.xor if r["found"]][:3]
        if wit:
            lines += ["", "First witnesses (unit-major: each unit's weights, then its bias):"]
            lines += [f"- {r['arch']} on {r['grid']}, {r['labels']}: {_layers(r['witness'])}"
                      for r in wit]
        lines += ["", "### The boundary adversary against built-in classifiers", "",
                  "| classifier | t | read N | answer at t | x' | answer at x' | outcome | "
                  "its failure detector |", "|---|---|---|---|---|---|---|---|"]
        for r in self.adversary:
            lines.append(f"| {r['classifier']} | {r['threshold']} | {r['precision']} | "
                         f"{r['answer_at_threshold']} | {r['offset'] or '-'} | "
                         f"{r['answer'] or '-'} | {r['outcome']} | {r['detector']} |")
        lines += ["", "### The quantization bridge (an experiment, not a theorem)", ""]
        lines += [f"- {s}" for s in bridge_readings(self.bridge)]
        if figure:
            lines += ["", f"![Quantization bridge: loss increase against sharpness]({figure})"]
        return "\n".join(lines)


def _layers(witness: dict) -> str:
    return "; ".join(f"W{l} = {layer['W']}, b{l} = {layer['b']}".replace("'", "")
                     for l, layer in enumerate(witness["layers"], 1))


# -- the XOR table ---------------------------------------------------------------------------------
def _proved_impossible(widths, grid, labels) -> str | None:
    """A proof that no network of this kind fits XOR, or ``None``."""
    if all(d == 1 for d in widths[1:-1]):
        return ("proof: every hidden width is 1, so f is a monotone function of one affine "
                "form l, and l(00) + l(11) = l(01) + l(10) forbids separating XOR")
    if min(grid) >= 0:
        return "proof: nonnegative weights make f nondecreasing in each input; XOR is not"
    return None


def xor_table(architectures=XOR_ARCHITECTURES, grids=XOR_GRIDS, labels=("exact", "sign"), *,
              brute_limit: int = BRUTE_LIMIT, progress: Callable | None = None) -> tuple:
    """``(rows, search seconds, check seconds)``: each row decided by the theory's search and
    judged by an independent route (see the module notes)."""
    from theory.quantized import decide_fit

    rows, search_s, check_s = [], 0.0, 0.0
    total = len(architectures) * len(grids) * len(labels)
    for arch in architectures:
        for grid_name, grid in grids:
            for mode in labels:
                if progress is not None:
                    progress("XOR table", len(rows), total)
                y = XOR_LABELS[mode]
                t0 = time.perf_counter()
                res = decide_fit(arch, grid, XOR_X, y, mode)
                t1 = time.perf_counter()
                ok, how = _judge(res, arch, grid, y, mode, brute_limit)
                check_s += time.perf_counter() - t1
                search_s += t1 - t0
                rows.append({"arch": "-".join(map(str, arch)), "grid": grid_name,
                             "labels": mode, "found": res.found, "checked": res.checked,
                             "space": res.space, "evaluated": res.evaluated,
                             "seconds": round(t1 - t0, 4),
                             "witness": None if res.witness is None else res.witness.to_json(),
                             "verdict": verdict_of(ok), "check": how})
    return rows, search_s, check_s


def _judge(res, arch, grid, y, mode, brute_limit):
    if res.found:
        w = res.witness.parameters()
        if not all(ref.fitted(ref.network_output(arch, w, x), t, mode) for x, t in zip(XOR_X, y)):
            return False, "the witness does not fit (independent evaluator)"
    if res.space <= brute_limit:
        found, checked, params = ref.brute_force_fit_integers(arch, grid, XOR_X, y, mode)
        same = (found, checked) == (res.found, res.checked) and (
            not found or params == res.witness.parameters())
        return same, (f"brute force over all {res.space}: "
                      + ("same answer and first witness" if same else
                         f"found={found}, checked={checked} (DISAGREES)"))
    if res.found:
        return True, "witness re-verified (independent evaluator)"
    proof = _proved_impossible(arch, grid, mode)
    return (True, proof) if proof else (None, "space beyond the brute force, no proof")


# -- the adversary ---------------------------------------------------------------------------------
def adversary_table(classifiers=CLASSIFIERS, thresholds=THRESHOLDS) -> list:
    """The adversary (and the failure-detector attack) against each classifier and threshold."""
    from numerics.classifiers import classifier_from_spec, failure_detector
    from theory.names import adversary, defeat_failure_detector

    rows = []
    for spec in classifiers:
        for t in thresholds:
            clf = classifier_from_spec(spec, t)
            res = adversary(clf, t)
            exits = res.point is None
            if exits:
                outcome, ok = "exits at t (honest: cannot be beaten)", spec.startswith("exit")
                detector = "-"
            else:
                outcome, ok = ("misclassified" if res.won else "NOT misclassified"), res.won
                d = defeat_failure_detector(clf, failure_detector(clf, t), t)
                detector = ("defeated (" + ("missed failure" if d.classifier_wrong else
                                            "false alarm") + ")") if d.detector_wrong else \
                    "NOT defeated"
                ok = ok and d.detector_wrong
            offset = None
            if not exits:
                offset = f"t {'+' if res.point > t else '-'} 2^-{res.precision}"
            rows.append({"classifier": spec, "threshold": str(t), "precision": res.precision,
                         "answer_at_threshold": res.answer_at_threshold,
                         "point": None if exits else str(res.point), "offset": offset,
                         "answer": res.answer, "won": res.won, "outcome": outcome,
                         "detector": detector, "ok": ok})
    return rows


# -- the bridge ------------------------------------------------------------------------------------
def bridge_readings(bridge) -> list:
    """What the bridge experiment shows, computed from its rows (no verdict: an experiment)."""
    rows = bridge.decided_rows()
    if not rows:
        return ["no decided rows (no run converged, or every solution sat within its precision "
                "of a rounding midpoint)"]
    lo, hi = bridge.band
    out = [f"{len(rows)} of {len(bridge.rows)} rows decided ({len(bridge.etas)} learning rates, "
           f"b in {list(bridge.bits)}, mean over {rows[0]['grids']} offset grids each)."]
    by_S = sorted({r["sharpness"] for r in rows})
    if len(by_S) >= 2:
        flat, sharp = by_S[0], by_S[-1]
        factors = []
        for b in bridge.bits:
            sel = {r["sharpness"]: Fraction(r["mean_loss_increase"]) for r in rows
                   if r["b"] == b}
            if flat in sel and sel[flat] > 0:
                factors.append(f"{float(sel[sharp] / sel[flat]):.3f}")
        out.append(f"Flatter solutions survive quantization better on average: the sharpest "
                   f"solution (S = {sharp:.4g}) loses {', '.join(factors)} times as much as "
                   f"the flattest (S = {flat:.4g}) at b = {list(bridge.bits)}; the "
                   f"second-order prediction is S_max / S_min = {sharp / flat:.3f}.")
    for b in bridge.bits:
        sel = [r["ratio"] for r in rows if r["b"] == b]
        inside = sum(float(lo) <= v <= float(hi) for v in sel)
        out.append(f"b = {b}: mean / (S h^2 / 24) from {min(sel):.4f} to {max(sel):.4f}; "
                   f"{inside} of {len(sel)} in the second-order band [{float(lo):.4f}, "
                   f"{float(hi):.4f}] of the {rows[0]['grids']} offset grids")
    single = []
    for b in bridge.bits:
        sel = sorted((r for r in rows if r["b"] == b), key=lambda r: r["sharpness"])
        inc = [Fraction(r["loss_increase"]) for r in sel]
        single.append(all(a <= c for a, c in zip(inc, inc[1:])))
    out.append(f"On the single grid through 0 the increase is ordered by S at only "
               f"{sum(single)} of {len(single)} resolutions: which grid point is nearest is "
               "luck, the sharpness speaks only on average.")
    return out


# -- the section -----------------------------------------------------------------------------------
def computability_evidence(*, quick: bool = False,
                           progress: Callable[[str, int, int], None] | None = None
                           ) -> ComputabilityEvidence:
    """Run the XOR table, the adversary table and the bridge experiment, and judge them.

    ``quick``: the bridge on three learning rates and three resolutions (the tables are fast
    either way). ``progress``: ``(stage, done, total)``.
    """
    from numerics.bridge import bridge_experiment

    timings = {}
    xor, timings["xor_search"], timings["xor_check"] = xor_table(progress=progress)
    t = time.perf_counter()
    adv = adversary_table()
    timings["adversary"] = time.perf_counter() - t
    t = time.perf_counter()
    kw = ({"etas": (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)), "bits": (4, 6, 8)}
          if quick else {})
    bridge = bridge_experiment(progress=progress, **kw)
    timings["bridge"] = time.perf_counter() - t
    return ComputabilityEvidence(xor, adv, bridge, timings, _verdicts(xor, adv))


def _verdicts(xor, adv) -> list:
    bad = [r for r in xor if r["verdict"] != "held"]
    fits = sum(r["found"] for r in xor)
    refuted = any(r["verdict"] == "refuted" for r in xor)
    c2 = Verdict("C2", "Fitting XOR with a quantized ReLU network is decided exactly",
                 verdict_of(False if refuted else None if bad else True),
                 f"{len(xor)} questions: {fits} fit, {len(xor) - fits} provably do not; every "
                 f"answer agrees with a brute force over all candidates (up to {BRUTE_LIMIT}), "
                 "or its witness re-verifies, or a proof excludes a fit" if not bad else
                 f"{len(bad)} answers not confirmed: " + ", ".join(
                     f"{r['arch']} {r['grid']} {r['labels']}" for r in bad),
                 "same answer and first witness as a brute force over every candidate; beyond "
                 f"{BRUTE_LIMIT} candidates a proof of impossibility")
    beaten = [r for r in adv if not r["classifier"].startswith("exit")]
    c5 = all(r["won"] for r in beaten)
    c6 = all(r["detector"].startswith("defeated") for r in beaten)
    exits = [r for r in adv if r["classifier"].startswith("exit")]
    c7 = all(r["point"] is None for r in exits)
    specs = sorted({r["classifier"] for r in beaten})
    return [
        c2,
        Verdict("C5", "The adversary defeats every built-in finite-precision classifier",
                verdict_of(c5), f"{sum(r['won'] for r in beaten)} of {len(beaten)} runs "
                f"({', '.join(specs)} at t in {{{', '.join(str(t) for t in THRESHOLDS)}}}) "
                "misclassify x' = t -+ 2^-N", "the classifier re-run on the new name"),
        Verdict("C6", "Each classifier's high-precision failure detector is wrong somewhere",
                verdict_of(c6), f"{sum(r['detector'].startswith('defeated') for r in beaten)} "
                f"of {len(beaten)} detectors defeated", "fresh runs of classifier and detector"),
        Verdict("C7", "The exit-flag classifier exits at the threshold instead of erring",
                verdict_of(c7), f"{len(exits)} of {len(exits)} runs exit at t (the adversary "
                "has nothing to turn)" if c7 else "an exit-flag run answered at t",
                "the adversary against exit:30"),
    ]
