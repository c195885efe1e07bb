"""One progress display for every command: a bar on stderr, fed ``(stage, done, total)``.

Library code reports progress through callbacks and never prints; the commands adapt those
callbacks to :class:`Progress` (:meth:`Progress.steps` for a step counter, :meth:`Progress.ticks`
for a count of finished items). A bar is shown only when stderr is a terminal and the command is
not in ``--json`` mode.
"""

from __future__ import annotations

import sys

__all__ = ["Progress"]


class Progress:
    """A tqdm bar on stderr, updated by ``progress(stage, done, total)``."""

    def __init__(self, unit: str = "run"):
        from tqdm import tqdm

        self.bar = tqdm(total=1, file=sys.stderr, leave=False, unit=unit, dynamic_ncols=True)
        self.stage = None

    @classmethod
    def maybe(cls, enabled: bool = True, unit: str = "run"):
        """A bar when ``enabled`` and stderr is a terminal, else ``None``."""
        return cls(unit) if enabled and sys.stderr.isatty() else None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.stage = stage
            self.bar.set_description(stage)
        self.bar.total = max(1, total)
        self.bar.n = min(done, self.bar.total)
        self.bar.refresh()

    def steps(self, stage: str, total: int, offset: int = 0):
        """A callback ``k -> None`` for a step counter ``k`` (shown as ``offset + k`` of
        ``total``)."""
        return lambda k: self(stage, offset + k, total)

    def ticks(self, total: int):
        """A callback ``(*labels) -> None`` called when an item starts: the bar shows how many
        items have finished of ``total`` and the current item's labels."""
        count = [-1]

        def tick(*labels):
            count[0] += 1
            self(" ".join(str(v) for v in labels), count[0], total)
        return tick

    def close(self) -> None:
        self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
