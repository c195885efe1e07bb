r"""Where does each bias win? Learning-rate sweeps over random instances, on Dask.

:func:`study` draws ``instances`` random instances per cell ``(n, d, s)``
(:mod:`~numerics.study.plan`), runs a float64 learning-rate sweep on each (one task per
``(instance, eta)``: :func:`numerics.sweep.tasks.grid_task`), stores every row in the sweep's
resumable store, classifies each instance (norm bias best, sharpness bias best, interior
optimum: :mod:`~numerics.study.classify`) and writes the phase diagram with Wilson intervals
(:mod:`~numerics.study.run`).
"""

from .classify import CLASSES, classify, phase_diagram, wilson
from .plan import instance_id, instance_seed, ratios, specs
from .run import StudyRun, study

__all__ = ["study", "StudyRun", "classify", "phase_diagram", "wilson", "CLASSES", "specs",
           "ratios", "instance_seed", "instance_id"]
