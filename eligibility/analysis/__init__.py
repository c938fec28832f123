"""What the results mean: evaluating scenarios into results, the law-enforcement
dependency, what would change an outcome, the report model, rule-set lint and
invariants, the interview's logic and the generated handbook."""
