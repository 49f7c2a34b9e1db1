"""The figures as tables of text, shared by the terminal (rich) and the HTML report.

Building the rows once keeps the two outputs saying exactly the same thing; numbers are
formatted here (percentages with one decimal, ratios with two) and a missing figure is "–".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # each command imports only the module of its own measure
    from engine.evaluate.fairness import Fairness
    from engine.evaluate.metrics import Campaign, Evaluation
    from engine.evaluate.monitor import Monitoring
    from engine.evaluate.returns import Returns, ReturnsRow
    from engine.evaluate.stability import Stability

DASH = "–"


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    highlight: list[bool] = field(default_factory=list)
    """Rows to draw attention to (a flagged shift, the best campaign cut, a flagged group)."""
    notes: list[str] = field(default_factory=list)


def pct(x: float | None, digits: int = 1) -> str:
    return DASH if x is None else f"{100 * x:.{digits}f}%"


def ratio(x: float | None) -> str:
    return DASH if x is None else f"{x:.2f}"


def num(x: float | None) -> str:
    return DASH if x is None else f"{x:,.6g}"


def money(x: float) -> str:
    return f"{x:,.2f}"


def evaluation_tables(ev: Evaluation) -> list[Table]:
    """The tables of `scorecard evaluate`: summary, classes, then rules, bins and campaign when
    the card and the options give them."""
    tables = [_summary_table(ev), _classes_table(ev)]
    if ev.rules:
        tables.append(_rules_table(ev))
    if ev.bins:
        tables.append(_bins_table(ev))
    if ev.campaign is not None:
        tables.append(_campaign_table(ev.campaign, ev.band_labels))
    return tables


def _summary_table(ev: Evaluation) -> Table:
    cov = ev.coverage
    return Table(
        "Summary",
        ["figure", "value"],
        [
            ["rows in the table", f"{cov.rows:,}"],
            [
                "rows without a score (left out)",
                f"{cov.unscored:,} ({cov.unscored_events:,} events)",
            ],
            ["scored rows without an outcome (left out)", f"{cov.unknown_outcome:,}"],
            ["rows evaluated", f"{cov.evaluated:,}"],
            ["events", f"{cov.events:,}"],
            ["event rate", pct(cov.event_rate, 2)],
            ["a high score means", f"{ev.high_score_means} events"],
            ["AUC", DASH if ev.auc is None else f"{ev.auc:.4f}"],
            ["Gini", DASH if ev.gini is None else f"{ev.gini:.4f}"],
            [
                "KS",
                DASH
                if ev.ks is None
                else f"{ev.ks.statistic:.4f} (at score {'<=' if ev.high_score_means == 'fewer' else '>='} {num(ev.ks.cut)})",
            ],
            ["top / bottom class event rate", ratio(ev.top_bottom_ratio)],
        ],
        notes=(
            [
                "AUC below 0.5: the score ranks the outcome backwards (check the event value "
                "and --high-score / the card's `outcome ... high score means`)"
            ]
            if ev.auc is not None and ev.auc < 0.5
            else []
        ),
    )


def _classes_table(ev: Evaluation) -> Table:
    source = {
        "card": "the card's classes",
        "override": f"{len(ev.classes)} classes (--classes)",
        "deciles": "deciles (the card declares no classes)",
        "bands": "fixed score bands (--bands)",
    }[ev.class_source]
    banded = ev.class_source == "bands"
    return Table(
        f"By score band: {source}" if banded else f"By class: {source}, 1 = highest scores",
        [
            "band" if banded else "class",
            "rows",
            "scores",
            "events",
            "event rate",
            "lift",
            "cum. rows",
            "cum. events captured",
            "cum. lift",
        ],
        [
            [
                ev.band_labels[r.cls - 1] if banded else str(r.cls),
                f"{r.rows:,}",
                DASH if r.min_score is None else f"{num(r.min_score)} – {num(r.max_score)}",
                f"{r.events:,}",
                pct(r.event_rate),
                ratio(r.lift),
                pct(r.cum_rows_share),
                pct(r.cum_capture),
                ratio(r.cum_lift),
            ]
            for r in ev.classes
        ],
    )


def _rules_table(ev: Evaluation) -> Table:
    return Table(
        "Rules: how often each fires, and the event rate when it does",
        ["rule", "fires", "firing rate", "event rate fired", "not fired", "lift fired"],
        [
            [
                r.name if r.label is None else f"{r.name} ({r.label})",
                f"{r.fired:,}",
                pct(r.firing_rate),
                pct(r.event_rate_fired),
                pct(r.event_rate_not_fired),
                ratio(r.lift_fired),
            ]
            for r in ev.rules
        ],
    )


def _bins_table(ev: Evaluation) -> Table:
    return Table(
        "Bins: how often each entry matches, and its event rate",
        ["bins", "entry", "points", "rows", "share", "event rate", "lift"],
        [
            [
                b.name,
                e.text,
                num(e.points),
                f"{e.rows:,}",
                pct(e.share),
                pct(e.event_rate),
                ratio(e.lift),
            ]
            for b in ev.bins
            for e in b.entries
        ],
    )


def _campaign_table(c: Campaign, band_labels: list[str]) -> Table:
    """Contacting from the first row of the table (where events are expected) down to `cls`."""
    first = c.rows[0].cls if c.rows else 1

    def contacted(cls: int) -> str:
        if not band_labels:
            return f"classes {first}..{cls}"
        if cls == first:
            return f"band {band_labels[cls - 1]}"
        return f"bands {band_labels[first - 1]} .. {band_labels[cls - 1]}"

    best = (
        f"best cut: contact {contacted(c.best_cut)}, profit {money(c.best_profit)}"
        if c.best_cut
        else "no cut earns more than it costs: contact no one"
    )
    return Table(
        f"Campaign: value {money(c.value)} per event, cost {money(c.cost)} per contact",
        ["contact", "contacts", "events", "revenue", "cost", "profit"],
        [
            [
                contacted(r.cls),
                f"{r.contacts:,}",
                f"{r.events:,}",
                money(r.revenue),
                money(r.cost),
                money(r.profit),
            ]
            for r in c.rows
        ],
        highlight=[r.cls == c.best_cut for r in c.rows],
        notes=[best],
    )


def stability_tables(st: Stability) -> list[Table]:
    s = st.score
    tables = [
        Table(
            f"Score stability: PSI {s.psi:.4f} ({s.flag})",
            [
                "bin",
                "scores",
                "baseline rows",
                "baseline share",
                "current rows",
                "current share",
                "PSI",
            ],
            [
                [
                    str(i),
                    b.label,
                    f"{b.base_rows:,}",
                    pct(b.base_share),
                    f"{b.cur_rows:,}",
                    pct(b.cur_share),
                    f"{b.psi:.4f}" + (" (empty)" if b.empty else ""),
                ]
                for i, b in enumerate(s.bins, start=1)
            ],
            notes=[
                f"rows without a score (left out): baseline {s.base_unscored:,} of {st.base_rows:,}, "
                f"current {s.cur_unscored:,} of {st.cur_rows:,}",
                "PSI >= 0.1 is a shift, >= 0.25 a major shift; an empty share counts as 0.01%",
            ],
        )
    ]
    if st.blocks:
        tables.append(
            Table(
                "Characteristic stability per bins block",
                ["bins", "PSI", "flag", "mean points shift"],
                [[b.name, f"{b.psi:.4f}", b.flag, f"{b.score_shift:+.3f}"] for b in st.blocks],
                highlight=[b.flag != "stable" for b in st.blocks],
            )
        )
        tables.append(
            Table(
                "Bins entries: baseline and current share",
                ["bins", "entry", "points", "baseline share", "current share", "PSI"],
                [
                    [b.name, e.label, num(p), pct(e.base_share), pct(e.cur_share), f"{e.psi:.4f}"]
                    for b in st.blocks
                    for e, p in zip(b.entries, b.points, strict=True)
                ],
            )
        )
    if st.rules:
        tables.append(
            Table(
                "Rule firing rates",
                ["rule", "baseline", "current", "change", "PSI", "flag", "mean points shift"],
                [
                    [
                        r.name,
                        pct(r.base_rate),
                        pct(r.cur_rate),
                        DASH if r.change is None else f"{100 * r.change:+.1f} pts",
                        f"{r.psi:.4f}",
                        r.flag,
                        f"{r.mean_points_shift:+.3f}",
                    ]
                    for r in st.rules
                ],
                highlight=[r.flag != "stable" for r in st.rules],
            )
        )
    return tables


def fairness_tables(fa: Fairness) -> list[Table]:
    di = fa.disparate_impact
    verdict = (
        "no group is selected: the ratio is undefined"
        if di is None
        else f"disparate impact {di:.3f}: "
        + ("below 0.8, flagged" if fa.flagged else "at or above 0.8")
    )
    return [
        Table(
            f"Selection by {fa.column} ({fa.selection})",
            [
                "group",
                "rows",
                "scored",
                "mean score",
                "selected",
                "selection rate",
                "ratio to best",
                "flag",
            ],
            [
                [
                    g.group,
                    f"{g.rows:,}",
                    f"{g.scored:,}",
                    num(g.mean_score),
                    f"{g.selected:,}",
                    pct(g.selection_rate),
                    ratio(g.impact_ratio),
                    "below 0.8" if g.flagged else "",
                ]
                for g in fa.groups
            ],
            highlight=[g.flagged for g in fa.groups],
            notes=[verdict] if fa.banding is None else [fa.banding, verdict],
        )
    ]


def returns_tables(rt: Returns) -> list[Table]:
    """The tables of `scorecard returns`: the campaign by class, then its totals and Qini."""

    def money_or_dash(x: float | None) -> str:
        return DASH if x is None else money(x)

    def line(r: ReturnsRow) -> list[str]:
        return [
            "all" if r.cls is None else str(r.cls),
            f"{r.contacted:,}",
            f"{r.control:,}",
            pct(r.contacted_rate, 2),
            pct(r.control_rate, 2),
            DASH if r.uplift is None else f"{100 * r.uplift:+.2f} pts",
            num(r.incremental),
            money_or_dash(r.revenue),
            money_or_dash(r.cost),
            money_or_dash(r.profit),
            pct(r.roi),
            "" if r.worth is None else ("yes" if r.worth else "no"),
        ]

    columns = [
        "class",
        "contacted",
        "control",
        "response (contacted)",
        "response (control)",
        "uplift",
        "incremental responses",
        "revenue",
        "cost",
        "profit",
        "ROI",
        "worth contacting",
    ]
    by_class = Table(
        "Returns by class",
        columns,
        [line(r) for r in rt.rows] + [line(rt.total)],
        highlight=[bool(r.worth) for r in rt.rows] + [False],
        notes=[
            f"{rt.evaluated:,} customers measured; {rt.left_out:,} left out (no score, "
            "outcome or treatment)",
            "worth contacting: "
            + (", ".join(f"class {c}" for c in rt.worth_classes) or "no class")
            + (
                " (profit > 0)"
                if rt.value is not None or rt.cost is not None
                else " (uplift > 0; give --value and --cost for profit)"
            ),
        ],
    )
    qini = Table(
        "Qini",
        ["figure", "value"],
        [
            ["Qini coefficient", num(rt.qini_coefficient)],
            ["incremental responses of the whole campaign", num(rt.total.incremental)],
        ],
        notes=["above 0: the card ranks first the customers the contact moves"],
    )
    return [by_class, qini]


def monitoring_tables(mo: Monitoring) -> list[Table]:
    """The tables of `scorecard monitor`: one line per period, then blocks and rules."""
    outcome = any(p.events is not None for p in mo.periods)
    columns = ["period", "rows", "scored", "mean score", "p10", "median", "p90", "PSI", "flag"]
    if outcome:
        columns += ["events", "event rate", "AUC", "KS"]
    lines = []
    for p in mo.periods:
        line = [
            p.period,
            f"{p.rows:,}",
            f"{p.scored:,}",
            num(p.mean_score),
            num(p.p10),
            num(p.p50),
            num(p.p90),
            DASH if p.psi is None else f"{p.psi:.4f}",
            p.flag or DASH,
        ]
        if outcome:
            line += [
                DASH if p.events is None else f"{p.events:,}",
                pct(p.event_rate, 2),
                DASH if p.auc is None else f"{p.auc:.4f}",
                DASH if p.ks is None else f"{p.ks:.4f}",
            ]
        lines.append(line)
    out = [
        Table(
            "Score by period",
            columns,
            lines,
            highlight=[p.flag not in (None, "stable") for p in mo.periods],
            notes=[
                f"PSI against the baseline period {mo.baseline!r}, "
                + (
                    f"{mo.bins} score bins; "
                    if mo.band_cuts is None
                    else f"score bands {', '.join(mo.band_labels)}; "
                )
                + "flags: >= 0.1 shift, >= 0.25 major shift",
                "periods with a shift: " + (", ".join(mo.flagged) or "none"),
            ],
        )
    ]
    names = [b.name for b in mo.periods[0].blocks] if mo.periods else []
    if names:
        out.append(
            Table(
                "Bins blocks: PSI by period",
                ["period", *names],
                [
                    [p.period, *(f"{b.psi:.4f} ({b.flag})" for b in p.blocks)]
                    if p.blocks
                    else [p.period, *(DASH for _ in names)]
                    for p in mo.periods
                ],
            )
        )
    if mo.band_cuts is not None and outcome:
        out.append(
            Table(
                "Event rate by score band and period",
                ["period", *mo.band_labels],
                [
                    [p.period, *(pct(r, 2) for r in p.band_event_rates)]
                    if p.band_event_rates
                    else [p.period, *(DASH for _ in mo.band_labels)]
                    for p in mo.periods
                ],
            )
        )
    rules = [r.name for r in mo.periods[0].rules] if mo.periods else []
    if rules:
        out.append(
            Table(
                "Rules: firing rate by period",
                ["period", *rules],
                [
                    [p.period, *(pct(r.firing_rate) for r in p.rules)]
                    if p.rules
                    else [p.period, *(DASH for _ in rules)]
                    for p in mo.periods
                ],
            )
        )
    return out
