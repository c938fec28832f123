"""Everything people read in a terminal, drawn with rich.

This package is the only place that imports rich: `common` (consoles, status symbols),
`tables` (evaluate and rules tables).
"""

from .common import (
    GATED_MARK,
    STATUS_LABEL,
    STATUS_STYLE,
    STATUS_SYMBOL,
    console,
    page,
    provision_heading,
    status_text,
)
from .tables import print_results_table, print_rule_book, print_rule_sets, results_table

__all__ = [
    "GATED_MARK",
    "STATUS_LABEL",
    "STATUS_STYLE",
    "STATUS_SYMBOL",
    "console",
    "page",
    "print_results_table",
    "print_rule_book",
    "print_rule_sets",
    "provision_heading",
    "results_table",
    "status_text",
]
