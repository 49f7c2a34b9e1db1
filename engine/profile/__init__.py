"""The portrait of a group of customers against a base (`profile`), and lookalike cards
(`lookalike`): a stage beside `evaluate/` that reads tables and `engine.run.card.Card` values."""
