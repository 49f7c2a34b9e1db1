"""The quality figures as tables of text, shared by the terminal (rich) and the HTML page, so
both say exactly the same thing (`engine.evaluate.tables.Table`)."""

from __future__ import annotations

from collections.abc import Sequence

from engine.evaluate.tables import DASH, Table, num, pct
from engine.quality.figures import BinsQuality, Example, KeyGroup, Matching, Quality

SHOWN = 3
"""Examples shown in a table cell (the JSON document has them all)."""


def _examples(items: Sequence[Example]) -> str:
    if not items:
        return DASH
    parts = []
    for e in items[:SHOWN]:
        key = f" ({e.key})" if e.key is not None else ""
        parts.append(f"row {e.row}{key}: {e.value!r}")
    return "; ".join(parts)


def quality_tables(q: Quality) -> list[Table]:
    out = [_summary(q), _columns(q)]
    if q.bins:
        out.append(_bins(q.bins))
    if q.keys.exact:
        out.append(_groups("Duplicate keys (as read: apply refuses them, E814)", q.keys.exact))
    if q.keys.normalised:
        out.append(
            _groups(
                "Duplicate keys after normalisation (trimmed, NFC, lower case)",
                q.keys.normalised,
            )
        )
    if q.matching is not None:
        out += _matching(q.matching)
    return out


def _summary(q: Quality) -> Table:
    k = q.keys
    problems = [c.name for c in q.columns if c.bad_type or c.constant]
    rows = [
        ["rows", f"{q.rows:,}"],
        ["declared columns", f"{len(q.columns)}"],
        ["columns with values of the wrong type", f"{sum(1 for c in q.columns if c.bad_type)}"],
        ["constant columns", ", ".join(c.name for c in q.columns if c.constant) or DASH],
        [
            f"duplicate keys ({k.column}) as read",
            f"{k.exact_rows:,} rows in {k.exact_groups:,} groups",
        ],
        [
            "duplicate keys after normalisation",
            f"{k.normalised_rows:,} rows in {k.normalised_groups:,} groups",
        ],
        ["rows apply --dedupe would drop", f"{k.dedupe_drops:,}"],
    ]
    if q.matching is not None:
        m = q.matching
        rows.append(
            [
                f"likely duplicate customers ({', '.join(m.columns)})",
                f"{len(m.pairs):,} pairs, {len(m.clusters):,} groups",
            ]
        )
    notes = [f"columns to look at: {', '.join(problems)}"] if problems else []
    return Table(f"Quality of {q.data} for {q.card}", ["figure", "value"], rows, notes=notes)


def _columns(q: Quality) -> Table:
    rows, flagged = [], []
    for c in q.columns:
        rows.append(
            [
                c.name,
                c.type,
                f"{c.nulls:,}",
                pct(c.null_share),
                f"{c.bad_type:,}",
                _examples(c.bad_type_examples),
                f"{c.distinct:,}",
                "yes" if c.constant else "no",
            ]
        )
        flagged.append(bool(c.bad_type or c.constant))
    return Table(
        "Declared columns",
        [
            "column",
            "type",
            "nulls",
            "null share",
            "wrong type",
            "first rows",
            "distinct",
            "constant",
        ],
        rows,
        flagged,
        ["rows count from 1, the header not counted; a constant column has at most one value"],
    )


def _outside(b: BinsQuality) -> str:
    if b.unseen_categories:
        shown = ", ".join(f"{c.value!r} ({c.rows:,})" for c in b.unseen_categories[:5])
        more = f", and {b.unseen_total - 5} more" if b.unseen_total > 5 else ""
        return shown + more
    if b.outside_min is not None:
        return f"{num(b.outside_min)} .. {num(b.outside_max)}"
    return DASH


def _bins(items: Sequence[BinsQuality]) -> Table:
    rows = [
        [
            b.name,
            b.column,
            f"{b.outside:,}",
            _outside(b),
            "else" if b.caught_by_else else "0 points",
            f"{b.no_bin:,}",
            _examples(b.outside_examples),
        ]
        for b in items
    ]
    return Table(
        "Bins: values no bin takes",
        [
            "bins",
            "column",
            "outside every bin",
            "values or range",
            "they get",
            "no bin at all",
            "first rows",
        ],
        rows,
        [bool(b.outside) for b in items],
        ["'outside every bin' counts readable values matched by no bin but `missing` and `else`"],
    )


def _groups(title: str, groups: Sequence[KeyGroup]) -> Table:
    rows = [
        [
            g.key,
            f"{g.count:,}",
            ", ".join(repr(s) for s in g.spellings[:SHOWN]),
            ", ".join(str(r) for r in g.rows) + (" ..." if g.count > len(g.rows) else ""),
        ]
        for g in groups
    ]
    return Table(title, ["key", "rows", "spellings", "row numbers"], rows)


def _matching(m: Matching) -> list[Table]:
    settings = f"{m.method}; threshold {m.threshold:g}; {m.pairs_compared:,} pairs compared"
    pairs = Table(
        f"Likely duplicate customers on {', '.join(m.columns)}",
        ["customer", "likely the same as", "match probability"],
        [
            [
                f"{p.left} (row {p.left_row})",
                f"{p.right} (row {p.right_row})",
                f"{p.probability:.3f}",
            ]
            for p in m.pairs[:50]
        ],
        notes=[settings]
        + ([f"first 50 of {len(m.pairs):,} pairs"] if len(m.pairs) > 50 else [])
        + ([] if m.pairs else ["no pair of rows reaches the threshold"]),
    )
    clusters = Table(
        "Groups of likely duplicates",
        ["customers", "keys"],
        [[str(len(c.keys)), ", ".join(c.keys)] for c in m.clusters[:50]],
    )
    return [pairs, clusters] if m.clusters else [pairs]
