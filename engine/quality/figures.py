"""What `scorecard quality` measures, as plain values: the terminal tables, the JSON document
and the HTML page are all read from these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Example:
    """One offending row: its number (from 1, the header not counted), key and value."""

    row: int
    key: str | None
    value: str | None


@dataclass(frozen=True)
class ColumnQuality:
    """One declared input column."""

    name: str
    type: str
    nulls: int
    null_share: float | None
    """nulls / rows; None for an empty table."""
    bad_type: int
    """Present values that cannot be read as the declared type."""
    bad_type_examples: list[Example]
    distinct: int
    """Distinct values once read (nulls and unreadable values not counted)."""
    constant: bool
    """At most one distinct value: the column cannot tell customers apart."""


@dataclass(frozen=True)
class Category:
    value: str
    rows: int


@dataclass(frozen=True)
class BinsQuality:
    """One bins block on an input column: the values its bins do not take."""

    name: str
    column: str
    outside: int
    """Rows with a readable value that matches none of the block's value bins (every bin but
    `missing` and `else`): out of every interval, or a category no bin names."""
    outside_examples: list[Example]
    caught_by_else: bool
    """The block has an `else` bin, which gives those rows its points; without it they get 0."""
    no_bin: int
    """Rows that match no bin at all (no `else`; nulls without a `missing` bin): scored 0."""
    outside_min: float | None = None
    outside_max: float | None = None
    """For numeric columns: the smallest and largest value outside every bin."""
    unseen_categories: list[Category] = field(default_factory=list)
    """For text columns: the values no bin names, most frequent first (at most 20)."""
    unseen_total: int = 0
    """How many distinct unseen values there are in all."""


@dataclass(frozen=True)
class KeyGroup:
    """Rows sharing one key: `key` is the key as compared (normalised for the normalised
    groups), `spellings` how the rows write it, `rows` their numbers (at most 10 shown)."""

    key: str
    count: int
    spellings: list[str]
    rows: list[int]


@dataclass(frozen=True)
class KeyQuality:
    column: str
    exact_rows: int
    """Rows whose key (as read) another row has too."""
    exact_groups: int
    exact: list[KeyGroup]
    normalised_rows: int
    """Rows whose key, trimmed, NFC and lower-cased, another row has too."""
    normalised_groups: int
    normalised: list[KeyGroup]
    dedupe_drops: int
    """Rows `apply --dedupe first|last` would drop: normalised_rows - normalised_groups."""


@dataclass(frozen=True)
class MatchPair:
    """Two rows that are likely one customer: their keys, the model's match probability and
    their row numbers (from 1)."""

    left: str
    right: str
    probability: float
    left_row: int
    right_row: int


@dataclass(frozen=True)
class MatchCluster:
    keys: list[str]


@dataclass(frozen=True)
class Matching:
    """Likely duplicate customers on the columns named by `--match`."""

    columns: list[str]
    method: str
    threshold: float
    pairs_compared: int
    pairs: list[MatchPair]
    """Every pair at or above the threshold, most likely first."""
    clusters: list[MatchCluster]
    """Groups of keys linked by those pairs (two or more keys each), largest first."""
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Quality:
    card: str
    data: str
    rows: int
    columns: list[ColumnQuality]
    bins: list[BinsQuality]
    keys: KeyQuality
    matching: Matching | None = None
