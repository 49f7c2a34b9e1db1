"""`scorecard fit DATA --target COL -o CARD`: fit a card from data, or refit a card's points.

A thin layer over `engine.fitting.fit`: parse the options, refuse outputs that would replace
an input, write the card (and the report) atomically, print a summary on stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from engine.cli.app import app, stderr
from engine.cli.common import NO_READ, ReadArgs, guarded, shared_options
from engine.cli.progress_bar import run_progress
from engine.cli.render import is_quiet
from engine.diagnostics import ScorecardError, error
from engine.evaluate.report import jsonable, render_html
from engine.fitting import FitResult
from engine.fitting import fit as fit_card
from engine.fitting import report as fit_report
from engine.fitting.merge import TRENDS
from engine.fitting.options import CreditScaling, FitOptions, RangeScaling, Scaling
from engine.io import tables
from engine.io.outputs import write_stdout, write_text
from engine.io.reading import Source


def _names(values: list[str] | None) -> tuple[str, ...]:
    return tuple(n.strip() for item in values or [] for n in item.split(",") if n.strip())


def _specials(values: list[str] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for item in values or []:
        column, eq, codes = item.partition("=")
        if not eq or not column.strip() or not codes.strip():
            raise typer.BadParameter(f"{item!r}: expected COL=V1,V2,...", param_hint="--special")
        out[column.strip()] = tuple(c.strip() for c in codes.split(",") if c.strip())
    return out


def _scaling(
    pdo: float | None, odds: float | None, points: float | None, scale: str | None
) -> Scaling:
    credit = any(v is not None for v in (pdo, odds, points))
    if credit and scale is not None:
        raise typer.BadParameter(
            "give --scale, or --pdo/--odds/--points, not both", param_hint="--scale"
        )
    if credit:
        default = CreditScaling()
        return CreditScaling(
            default.pdo if pdo is None else pdo,
            default.odds if odds is None else odds,
            default.points if points is None else points,
        )
    if scale is None:
        return RangeScaling()
    low, colon, high = scale.partition(":")
    try:
        if not colon:
            raise ValueError(scale)
        return RangeScaling(float(low), float(high))
    except ValueError:
        raise typer.BadParameter(
            f"{scale!r}: expected LOW:HIGH, e.g. 0:1000", param_hint="--scale"
        ) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _refuse(code: str, message: str, hint: str) -> ScorecardError:
    return ScorecardError([error(code, message, None, hint)])


def check_outputs(
    data: Path, output: str, source: Path | None, replace: bool, report: Path | None
) -> None:
    """Outputs never replace an input: `-o` is never DATA, and is the `--from` card only with
    `--replace`; the report is none of DATA, the `--from` card and the card written."""
    if output != tables.STDOUT:
        out = Path(output)
        if _same_file(out, data):
            raise _refuse(
                "E1120", f"-o {output}: that is the data file", "write the card to a new file"
            )
        if source is not None and _same_file(out, source) and not replace:
            raise _refuse(
                "E1120",
                f"-o {output}: that is the --from card",
                "write to a new file, or add --replace to overwrite the card with its refit",
            )
    if report is not None:
        inputs = [data, *([source] if source is not None else [])]
        if output != tables.STDOUT:
            inputs.append(Path(output))
        if any(_same_file(report, p) for p in inputs):
            raise _refuse(
                "E1120",
                f"--report {report}: that is an input or the card",
                "give the report its own file",
            )


def print_summary(result: FitResult, output: str) -> None:
    f = result.figures
    kept = [c for c in f.characteristics if c.selected]
    where = "the card on stdout" if output == tables.STDOUT else escape(output)
    stderr.print(
        f"[bold]{escape(f.card)}[/bold]: wrote {where}: {len(kept)} of {len(f.characteristics)} characteristics in the card"
    )
    for label, p in (("training", f.train), ("holdout", f.holdout)):
        if p is None:
            continue
        stderr.print(
            f"  {label}: {p.rows:,} rows, event rate {100 * p.event_rate:.1f}%, "
            f"AUC {p.auc or 0:.4f}, Gini {p.gini or 0:.4f}, KS {p.ks or 0:.4f}"
        )
    if f.before is not None:
        b = f.before.holdout or f.before.train
        stderr.print(
            f"  the card as given: AUC {b.auc or 0:.4f} on the {'holdout' if f.before.holdout else 'training'} rows"
        )
    for c in f.characteristics:
        if not c.selected:
            stderr.print(f"  [dim]left out {escape(c.column)}: {escape(c.reason or '')}[/dim]")
    for w in [] if is_quiet() else f.warnings:
        stderr.print(f"  [yellow]warning: {escape(w)}[/yellow]")


DataArg = Annotated[
    Path,
    typer.Argument(
        help="The table with the outcome (.csv .parquet .ndjson .arrow).",
        show_default=False,
        metavar="DATA",
    ),
]
TargetOpt = Annotated[str, typer.Option("--target", help="The outcome column.", show_default=False)]
OutputOpt = Annotated[
    str,
    typer.Option("-o", "--output", help="The card to write ('-': on stdout).", show_default=False),
]
EventOpt = Annotated[
    str | None,
    typer.Option("--event", help="The target value that is an event (default: 1/true/yes)."),
]
KeyOpt = Annotated[
    str | None,
    typer.Option("--key", help="The key column (default: the one unique column named like an id)."),
]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", help="Columns not to use: COL,COL (repeatable).")
]
SensitiveOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--sensitive", help="Columns declared `sensitive` in the card, never used: COL,COL."
    ),
]
SpecialOpt = Annotated[
    list[str] | None,
    typer.Option("--special", help="Special codes with bins of their own: COL=V1,V2 (repeatable)."),
]
MinShareOpt = Annotated[
    float, typer.Option("--min-bin-share", help="Smallest share of training rows in a bin.")
]
MaxBinsOpt = Annotated[
    int,
    typer.Option(
        "--max-bins",
        help="Most bins per characteristic (missing, special and else bins not counted).",
    ),
]
PrebinsOpt = Annotated[int, typer.Option("--prebins", help="Quantile pre-bins before merging.")]
RareOpt = Annotated[
    float,
    typer.Option("--rare-share", help="Categories below this share are pooled before grouping."),
]
TrendOpt = Annotated[
    str,
    typer.Option("--monotonic", help="Event-rate trend of numeric bins: " + "|".join(TRENDS) + "."),
]
MinIvOpt = Annotated[
    float, typer.Option("--min-iv", help="Characteristics below this IV are left out.")
]
CorrOpt = Annotated[
    float,
    typer.Option(
        "--max-correlation",
        help="Of two characteristics whose WoE correlate beyond this, the lower IV is left out.",
    ),
]
PdoOpt = Annotated[
    float | None, typer.Option("--pdo", help="Credit scaling: points that double the odds (20).")
]
OddsOpt = Annotated[
    float | None,
    typer.Option("--odds", help="Credit scaling: non-events per event at --points (50)."),
]
PointsOpt = Annotated[
    float | None, typer.Option("--points", help="Credit scaling: the score at --odds (600).")
]
ScaleOpt = Annotated[
    str | None,
    typer.Option(
        "--scale", help="Marketing scaling LOW:HIGH, higher = more events (default 0:1000)."
    ),
]
RoundOpt = Annotated[bool, typer.Option("--round", help="Whole points.")]
HoldoutOpt = Annotated[
    float,
    typer.Option("--holdout", help="Random share of rows kept aside for the holdout figures."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the random holdout.")]
SplitOpt = Annotated[
    str | None, typer.Option("--split", help="A period column: its latest value is the holdout.")
]
NameOpt = Annotated[str | None, typer.Option("--name", help="The card's name (default: from -o).")]
FromOpt = Annotated[
    Path | None,
    typer.Option(
        "--from", help="Keep this card's bins as written; refit only the points.", metavar="CARD"
    ),
]
ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace", help="Allow -o to be the --from card (replaced after a successful refit)."
    ),
]
ReportOpt = Annotated[
    Path | None,
    typer.Option("--report", help="Also write the HTML report here.", metavar="FILE.html"),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the report's figures as JSON on stdout.")
]


def _run(
    data: Source,
    output: str,
    settings: FitOptions,
    from_card: Path | None,
    replace: bool,
    report: Path | None,
    as_json: bool,
) -> None:
    """Fit (or refit), then write the card, the report and the JSON; the summary on stderr."""
    settings.check()
    check_outputs(data.path, output, from_card, replace, report)
    options = {f: getattr(settings, f) for f in settings.__dataclass_fields__ if f != "target"}
    with run_progress() as bar:
        result = fit_card(
            data,
            settings.target,
            from_card=from_card,
            output=None if output == tables.STDOUT else output,
            progress=bar,
            **options,
        )
    min_iv = settings.min_iv if from_card is None else None
    page = render_html(fit_report.build(result.figures, min_iv)) if report else None
    if output == tables.STDOUT:
        write_stdout(result.card)
    else:
        write_text(output, result.card)
    if report is not None and page is not None:
        write_text(report, page)
    if as_json:
        sys.stdout.write(json.dumps(jsonable(result.figures), indent=2) + "\n")
    print_summary(result, output)
    if report is not None:
        stderr.print(f"report written to {escape(str(report))}")


@app.command()
@shared_options(reads=True)
def fit(
    data: DataArg,
    target: TargetOpt,
    output: OutputOpt,
    event: EventOpt = None,
    key: KeyOpt = None,
    exclude: ExcludeOpt = None,
    sensitive: SensitiveOpt = None,
    special: SpecialOpt = None,
    min_bin_share: MinShareOpt = FitOptions.min_bin_share,
    max_bins: MaxBinsOpt = FitOptions.max_bins,
    prebins: PrebinsOpt = FitOptions.prebins,
    rare_share: RareOpt = FitOptions.rare_share,
    monotonic: TrendOpt = FitOptions.monotonic,
    min_iv: MinIvOpt = FitOptions.min_iv,
    max_correlation: CorrOpt = FitOptions.max_correlation,
    pdo: PdoOpt = None,
    odds: OddsOpt = None,
    points: PointsOpt = None,
    scale: ScaleOpt = None,
    whole: RoundOpt = False,
    holdout: HoldoutOpt = FitOptions.holdout,
    seed: SeedOpt = FitOptions.seed,
    split: SplitOpt = None,
    name: NameOpt = None,
    from_card: FromOpt = None,
    replace: ReplaceOpt = False,
    report: ReportOpt = None,
    as_json: JsonOpt = False,
    read: ReadArgs = NO_READ,
) -> None:
    """Fit a scorecard from DATA: bins, WoE, selection, logistic regression, points.

    With --from CARD, the card's bins are kept exactly as written and only the points are
    refitted. See docs/fit.md.

    Example: scorecard fit history.csv --target bad --pdo 20 --odds 50 --points 600 -o risk.scorecard --report risk.html
    """
    if as_json and output == tables.STDOUT:
        raise typer.BadParameter(
            "--json and -o - both write to stdout: give -o a file", param_hint="--json"
        )
    if monotonic not in TRENDS:
        raise typer.BadParameter(
            f"{monotonic!r}: expected one of {', '.join(TRENDS)}", param_hint="--monotonic"
        )
    settings = FitOptions(
        target=target,
        event=event,
        key=key,
        exclude=_names(exclude),
        sensitive=_names(sensitive),
        special=_specials(special),
        min_bin_share=min_bin_share,
        max_bins=max_bins,
        prebins=prebins,
        rare_share=rare_share,
        monotonic=monotonic,  # checked against TRENDS above
        min_iv=min_iv,
        max_correlation=max_correlation,
        scaling=_scaling(pdo, odds, points, scale),
        round_points=whole,
        holdout=0.0 if split is not None and holdout == FitOptions.holdout else holdout,
        seed=seed,
        split=split,
        name=name,
    )
    # The settings file is the one beside the card: --from's, else the card written.
    beside = from_card or (Path(output) if output != tables.STDOUT else Path("fitted"))

    def work() -> None:
        source = read.source(data, beside)
        _run(source, output, settings, from_card, replace, report, as_json)

    guarded(work)
