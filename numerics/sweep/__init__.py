r"""Learning-rate sweeps: many ``eta`` at once, resumable, with high-precision confirmations.

Statement
---------
For a fixed problem and initialisation, :func:`sweep` runs gradient descent for every learning
rate of a grid and records, per ``eta``, where GD ends:

* ``status`` and ``steps`` (``converged``, ``not_converged``, ``diverged``);
* the final ``beta``, its sharpness ``S`` (the ``n x n`` Gram form at a converged point, the full
  Hessian otherwise: :func:`numerics.hessian.spectrum`) beside ``2/eta``;
* ``||beta||_1`` and ``||theta||^2``;
* the risk against ``beta*`` (when the problem has one) and the expected risk under a prior;
* the distance ``||beta - beta^GF||_2`` to the gradient-flow limit;
* agreed digits, for the points confirmed at two precisions.

With ``edge=EdgeSpec(...)`` it also measures the convergence edge
(:mod:`numerics.sweep.edge`): per bin of densely sampled learning rates near the stability
limit, the fractions that converge, diverge or do not converge at both precisions of a pair,
and those whose status depends on the precision (``convergence_edge`` in the JSON).

It then locates the observed critical learning rate ``eta_c`` (where the final sharpness leaves
the flow-aligned plateau and starts to track ``2/eta``), the learning rate of least risk, and the
observed stability boundary, and confirms the points around them at high precision.

How it runs
-----------
* **float64, batched.** The grid is cut into fixed chunks of :data:`CHUNK` consecutive learning
  rates; each chunk is one :func:`numerics.batch.gradient_descent_batch` call (all its ``eta`` in
  one array). Chunks and confirmations run on a process pool of ``jobs`` workers started with
  the ``spawn`` method: every worker is a fresh interpreter, so no flint or mpmath state is
  shared. The chunk boundaries depend only on the grid, so a point's float64 result does not
  depend on ``jobs`` or on which points an earlier, interrupted run finished.
* **Confirmations** are :func:`numerics.audited.audited_gd` runs (the
  :data:`~numerics.precision.DEFAULT_PAIR`, or ``p`` against ``2p`` digits with
  ``precision=p``), with the grid's step budget, raised to
  :data:`CONFIRM_BUDGET_FACTOR` times the float64 run's steps when that run converged (the
  high-precision run stops at a much smaller residual). ``confirm="auto"`` confirms the grid points
  bracketing the observed ``eta_c`` (and the refined bracket), the grid point nearest the
  predicted ``eta_c``, the grid and refined minimisers of the risk, the last converged grid point
  and the next one, and the grid points on either side of the predicted stability limit
  ``1/(2 y x_min)``; plus ``confirm_etas`` (each snapped to its nearest grid point).
  ``"converged"`` adds every converged grid point, ``"all"`` every grid point, ``"none"`` only
  ``confirm_etas``.
* **Resumable.** With ``out_dir``, every finished row is appended to ``out_dir/sweep.jsonl`` by
  one ``os.write`` of complete lines followed by ``fsync`` (a grid chunk's rows together, each
  confirmation as soon as it finishes); the arguments are recorded in
  ``out_dir/sweep.meta.json`` (written to a temporary file and renamed). A later call with the
  same arguments skips every finished row; a torn last line (a kill during the write) is
  detected by its missing newline and truncated away. Different arguments in the same
  directory raise :class:`DomainError`. ``out_dir/sweep.csv`` is written at the end.
* **One run per directory.** The sweep holds ``out_dir/sweep.lock`` (``flock``) while it runs;
  a second sweep on the same directory meanwhile raises :class:`DomainError` at once, naming
  the process that holds it, rather than doing the same work beside it (run it again when the
  first has finished: it reuses every row). A killed run's lock is released by the kernel.
* **Interruptible.** Workers ignore Ctrl-C; an interrupt (or any error) in the calling process
  terminates them at once, busy or not, and propagates; workers also exit when the calling
  process dies (:mod:`~numerics.sweep.driver`).
* **Progress.** ``progress(stage, done, total)`` is called with the stages ``"reading the
  log"``, ``"grid"``, ``"refinement: eta_c"``, ``"refinement: least risk"``,
  ``"confirmations"``, ``"edge"`` (with ``edge``), ``"results"``, ``"writing sweep.csv"``
  and ``"done"``.

Which digits are reported
-------------------------
``sweep.jsonl`` is a raw log (float64 values as computed). The result's ``points`` (and the CSV)
follow this rule:

* a **confirmed** point reports each quantity with the digits its two precisions agree on
  (``"chaotic"`` when none), ``audited: true`` and the ``digits`` per quantity. Every quantity,
  the derived ``expected_risk`` and ``distance_gf`` included, goes through
  :func:`numerics.audit.audit_quantity`: when the two runs neither converged nor settled on a
  common period, fewer than :data:`numerics.audit.CHANCE_DIGITS` agreed digits count as chance
  and are reported as ``"chaotic"``. A converged point's ``hessian_check`` gives its three
  sharpness values to the digits agreed on ``S`` and its residues (single-run magnitudes) to
  :data:`RESIDUE_DIGITS` digits;
* an **unconfirmed converged** point reports each quantity rounded to ``U_q`` significant digits
  and ``audited: false``, where ``U_q = min(4, D_q - 2)`` and ``D_q`` is the fewest digits on
  which, at the nearest confirmed converged point below and the nearest above (in ``eta``), the
  float64 grid value of quantity ``q`` agreed with the high-precision value (the
  float64-against-confirmation evidence of its neighbours, less two digits of margin). Without
  such evidence (``U_q <= 0``) the value is ``None``;
* an **unconfirmed** point that did not converge reports its status and steps only: its final
  state is not a limit, and near the stability limit float64 is chaotic;
* the summaries follow the same rule: the plateau sharpness ``eta_c["S_ref"]`` (and the
  threshold derived from it) is reported as its grid point reports ``S``, and the least risk of
  an unconfirmed best point is ``best["risk_unaudited"]`` (the unaudited rule). The raw float64
  values the sweep decided with are kept under keys ending in ``_float64`` and are not part of
  :meth:`SweepResult.to_json`.

Layout
------
:mod:`~numerics.sweep.api` (:func:`sweep`, :class:`SweepResult`, :func:`eta_grid`) wires
:mod:`~numerics.sweep.store` (the resumable JSONL store, meta file, CSV),
:mod:`~numerics.sweep.driver` (chunks, the process pool, refinement rounds, confirmations),
:mod:`~numerics.sweep.tasks` (what one task computes) and :mod:`~numerics.sweep.observe`
(observed ``eta_c``, the least risk, the stability edge, confirmation targets, unaudited
digits). What theory predicts for the instance is not numerics' business: the caller passes
it (``predictions=``, built once by :func:`proofs_check.predictions.predict`); without it the
sweep observes and reports no prediction.

Parameters
----------
See :func:`sweep`.

Notes
-----
Observed ``eta_c``. On the converged grid points in increasing ``eta``, the *sharpness
elasticity* between neighbours is ``e = -(dS/S)/(d eta/eta)``: about 0 on the flow-aligned
plateau (the limit barely moves) and about 1 at the edge of stability (``S ~ 2/eta``). The
bracket is the first neighbouring pair with ``e > 1/2``. Inside it, :data:`ZOOM_LEVELS` rounds of
:data:`ZOOM_POINTS` extra float64 runs bisect for the first ``eta`` whose run *leaves the
plateau*: it does not converge, or converges with ``S < S_lo (1 - PLATEAU_TOL)`` where ``S_lo``
is the final sharpness at the pair's lower end. On a grid so fine that the pair's upper end
has not yet left the plateau, the bisection starts from the first grid point that has and the
point before it; when no grid point leaves it, there is no observed ``eta_c`` (with a note).
``eta_c_observed`` is that first ``eta`` (the bracket's upper end), reported with the bracket.
The prediction is ``2/s_GF`` (R6).

Expected risk. For one-sample ``shared`` problems with ``x > 0`` and ``y > 0`` the prior is the
uniform distribution on the zero-loss simplex (:func:`theory.uniform_prior`), and
``E R(beta) = (beta - mu)^T Sigma (beta - mu) + tr(Sigma C) + sigma^2``. For other problems the
zero-loss set is not a bounded simplex and ``expected_risk`` is ``None``.

References
----------
[MFCKM26] Section 3 (R5, R9) and Appendix B (R6).

Examples
--------
>>> from fractions import Fraction
>>> from numerics.problem import Problem
>>> p = Problem([1, "1/2"], 1, "1/100", beta_star=["1/2", 1])
>>> res = sweep(p, eta_grid("0.4", "0.8", 5), 5000, confirm="none")
>>> [pt["status"] for pt in res.points]  # below the convergence edge
['converged', 'converged', 'converged', 'converged', 'converged']
>>> [pt["audited"] for pt in res.points][:2], res.points[-1]["digits"]
([False, False], 'unaudited')
>>> res.eta_c_predicted is None  # no predictions given
True

Near the stability limit one run's status is chaotic; the edge mode counts them per bin:

>>> from numerics.sweep.edge import EdgeSpec
>>> res = sweep(p, [Fraction(1, 2)], 20000, confirm="none", refine=False,
...             edge=EdgeSpec(bins=2, samples=4, pair=("float64", "dd"), eta_lo="0.8",
...                           eta_hi="0.9"))
>>> [(b["eta_lo"], b["eta_hi"], b["samples"], b["converged"]) for b in res.to_json()[
...     "convergence_edge"]]
[('4/5', '17/20', 4, 4), ('17/20', '9/10', 4, 4)]
"""

from .api import CONFIRM_MODES, NO_PREDICTIONS, USED_PREDICTIONS, SweepResult, eta_grid, sweep
from .driver import CHUNK
from .observe import PLATEAU_TOL, ZOOM_LEVELS, ZOOM_POINTS
from .store import FORMAT
from .tasks import RESIDUE_DIGITS

__all__ = ["sweep", "eta_grid", "SweepResult", "NO_PREDICTIONS", "CHUNK", "PLATEAU_TOL",
           "ZOOM_POINTS", "ZOOM_LEVELS", "CONFIRM_MODES", "FORMAT", "RESIDUE_DIGITS",
           "USED_PREDICTIONS"]
