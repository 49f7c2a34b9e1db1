"""Reports on a score: how well it ranks an outcome, how stable it is, how it treats groups.

`metrics` (AUC, Gini, KS, the table by class, rules and bins), `stability` (PSI), `fairness`
(selection rates, disparate impact) and `report` (one self-contained HTML page) read plain
arrays (`rows.ScoredRows`), so they do not depend on how the card was run.
"""
