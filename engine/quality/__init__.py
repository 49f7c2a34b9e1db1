"""`scorecard quality`: the data checked against a card before scoring it (nulls, values that
fail their type, values no bin takes, unseen categories, constant columns, duplicate keys),
and likely duplicate customers found by record linkage."""
