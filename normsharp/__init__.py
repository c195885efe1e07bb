"""normsharp: verify the theory of implicit regularisation in gradient descent.

The application layer (command line, reports, figures). The mathematics lives in :mod:`theory`
(exact), :mod:`numerics` (any precision) and :mod:`proofs_check` (claims meet experiments).
"""

__version__ = "0.1.0"
