"""The law as data: the fact vocabulary, condition trees, rule books with dated amendments
and overlays, scenarios, and the strict YAML reading they all share.

Nothing here evaluates a case (that is `engine`) or explains one (`analysis`); nothing
here imports from those layers or from the user interface.
"""
