"""One module per command. Each defines HELP, configure(parser) and run(args) -> exit code.

`eligibility.cli` builds the parser from COMMANDS, in this order.
"""

COMMANDS = (
    "evaluate",
    "explain",
    "interview",
    "compare",
    "timeline",
    "generate",
    "test",
    "check",
    "rules",
    "schema",
    "docs",
)
