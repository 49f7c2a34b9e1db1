"""Fitting a card from data: binning, WoE and IV, selection, logistic regression, points.

The stage reads a table with an outcome and writes an ordinary card (`engine.fitting.run`);
with `--from`, it keeps a card's bins and refits only their points (`engine.fitting.refit`).
"""
