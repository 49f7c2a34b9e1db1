"""Build the one SELECT statement for a program: a chain of CTEs that reads as the card does.

inputs (cast, NaN -> null) -> validated (key non-null and unique, required columns non-null)
-> one CTE per layer of definitions (lets, contributions, models, points, score) -> excludes
-> segments -> reasons -> classes -> the result columns of `Program.result_columns()`.

This module computes the pieces (compiled expressions, names) and hands them to the dialect's
templates (`templates/*/statement.sql.j2`), which lay them out.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from engine import ir, reason_keys, results
from engine.backends.sql.carried import Computed, prune, reads
from engine.backends.sql.dialects import Dialect
from engine.backends.sql.expressions import Compiler, Hoisted, SqlCompileError
from engine.backends.sql.keyed_reasons import key_sql
from engine.backends.sql.schedule import order
from engine.backends.sql.sqltext import Sql, join, sql, strip
from engine.backends.sql.templates import Renderer
from engine.nonnull import never_null_names, simplify
from engine.program import Definition, Program
from engine.reason_keys import ReasonKeys
from engine.types import ScalarType


@dataclass(frozen=True)
class Column:
    """`sql AS name` in a SELECT list (name already quoted)."""

    sql: Sql
    name: Sql


@dataclass(frozen=True)
class Step:
    """One CTE that adds columns to the previous one: `SELECT carried, columns FROM source`
    (`carried`: the source's columns passed on, see `carried.py`; None: all of them)."""

    name: Sql
    comment: Sql
    source: Sql
    columns: tuple[Column, ...]
    carried: tuple[Sql, ...] | None = None

    @property
    def carried_list(self) -> Sql:
        """`carried` as one line of the SELECT list."""
        return join(", ", self.carried or ())


ROW = sql("s")
"""The alias of the last step's row in the final SELECT (which names the keyed reasons)."""

REASON_ROUNDS_LIMIT = 4096
"""Up to this many reasons x contributions, reasons are K rounds over each row's columns (a
statement that grows as K x contributions); beyond, one unpivot ranked by ROW_NUMBER."""

_STEP_WORDS = {"let": "lets", "rule": "rules", "bins": "bins", "points": "points", "score": "score"}
"""The CTE of each kind of definition is named after the card's step (a model: `model_NAME`)."""
_STEP_ORDER = {
    kind: i for i, kind in enumerate(("let", "rule", "bins", "model", "points", "score"))
}


class StatementBuilder:
    """Compiles one bound program for one dialect into the context of `statement.sql.j2`."""

    def __init__(
        self,
        program: Program,
        dialect: Dialect,
        table_sql: Sql,
        kept: Sequence[str],
        renderer: Renderer,
    ) -> None:
        """`renderer` renders the templates the builder fills in itself (the key check's
        `key_bytes`), with the user's templates first, as it renders the statement."""
        self.program = program
        self.kept = tuple(kept)
        self.dialect = dialect
        self.templates = renderer
        self.table_sql = table_sql
        taken = {c.name for c in program.inputs} | {d.name for d in program.definitions}
        taken |= results.RESERVED
        self._taken = taken
        self._counter = itertools.count(1)
        self.never_null = never_null_names(program, validated=True)
        self.compiler = Compiler(dialect, self.fresh, self.never_null)
        self._cte_names: set[str] = set()

    def fresh(self, base: str = "helper") -> str:
        """An internal column name no card name can be (cards may quote any name)."""
        while True:
            name = f"_sc_{base}_{next(self._counter)}"
            if name not in self._taken:
                self._taken.add(name)
                return name

    def cte(self, base: str) -> Sql:
        """A CTE name (quoted) that differs from the source table's name and every other CTE
        (`lets`, then `lets_2`, ... when a later layer holds lets again)."""
        table_parts = {p.strip('"`').lower() for p in self.table_sql.split(".")}
        name, number = base, 1
        while name.lower() in table_parts or name.lower() in self._cte_names:
            number += 1
            name = f"{base}_{number}"
        self._cte_names.add(name.lower())
        return self.dialect.quote(name)

    # -- pieces ----------------------------------------------------------------------------

    def inputs(self) -> list[Column]:
        d = self.dialect
        cols = []
        for c in self.program.inputs:
            value = d.render("cast", d.quote(c.name), d.type_sql(c.type))
            if c.type is ScalarType.FLOAT:
                value = d.render("nan_to_null", value)
            cols.append(Column(value, d.quote(c.name)))
        return cols

    def key_as_text(self) -> Sql:
        d = self.dialect
        key = self.program.key
        return d.render("cast", d.quote(key.name), d.type_sql(ScalarType.STRING))

    def _fail(self, message: str, key_text: Sql) -> Sql:
        """The warehouse's error with `message` and a key: the key makes the message
        data-dependent, so no planner folds the error away early."""
        d = self.dialect
        text = d.string("scorecard: " + message)
        return d.render("raise_error", sql("({} || {})", text, key_text))

    def validation(self) -> Sql:
        """A condition true on every row with a key and its required columns that raises the
        warehouse's error otherwise (uniqueness is `unique_check`'s)."""
        d = self.dialect
        key = self.program.key
        key_text = sql("COALESCE({}, {})", self.key_as_text(), d.string(""))
        whens = [
            sql(
                "WHEN {} IS NULL THEN {}",
                d.quote(key.name),
                self._fail(f"the key column {key.name} is null in a row", key_text),
            )
        ]
        for c in self.program.inputs:
            if c.required and not c.key:
                whens.append(
                    sql(
                        "WHEN {} IS NULL THEN {}",
                        d.quote(c.name),
                        self._fail(f"the required column {c.name} is null for the key ", key_text),
                    )
                )
        return sql("CASE\n    {}\n    ELSE TRUE\n  END", join("\n    ", whens))

    def unique_check(self, column: str) -> Sql:
        """A condition without columns, true when no key is duplicated, that raises the
        warehouse's error naming the least duplicated key otherwise.

        One aggregate over the table, apart from the chain of steps: tested by the final
        SELECT, it is computed once, and the row chain stays free of a window over the
        whole table (PostgreSQL runs no step of a statement in parallel below such a window;
        an aggregate read low in the chain would also keep every step above it serial).

        Text keys are grouped byte-wise, as the engine compares them and as classes order
        them (the `key_bytes` template): under a collation that is not deterministic (a
        case-insensitive key column), keys differing only in case would be duplicates. In
        PostgreSQL the "C" collation also makes the check faster: 0.51-0.53 s against
        0.72 s alone on 1M keys, the whole statement 10.03-10.09 s against 10.27-10.36 s
        (docs/performance.md)."""
        d = self.dialect
        key = self.program.key
        key_q = d.quote(key.name)
        key_sql = next(c.sql for c in self.inputs() if c.name == key_q)
        grouped = self.templates.dispatch(
            "key_bytes", key=key_sql, key_is_string=key.type is ScalarType.STRING
        )
        duplicated = d.quote(column)
        least = sql("MIN({})", duplicated)
        key_text = d.render("cast", least, d.type_sql(ScalarType.STRING))
        fail = self._fail(f"the key column {key.name} is not unique: ", key_text)
        return sql(
            "(\n  SELECT CASE WHEN {} IS NULL THEN TRUE ELSE {} END\n"
            "  FROM (SELECT {} AS {} FROM {} GROUP BY 1 HAVING COUNT(*) > 1) AS {}\n)",
            least,
            fail,
            grouped,
            duplicated,
            self.table_sql,
            d.quote("_sc_duplicates"),  # a derived table's alias: only its own column is read
        )

    def steps(self, source: Sql) -> tuple[list[Step], Sql]:
        """Per layer of definitions, one CTE per step of the card (lets, rules, bins, each
        model, points, score), plus CTEs for the helper columns they hoist. Definitions of one
        layer do not read each other, so the steps of a layer may follow one another."""
        out: list[Step] = []
        for layer in self.program.layers():
            for base, group in _steps_of(layer):
                columns = [
                    Column(self.compiler.compile(d.expr), self.dialect.quote(d.name)) for d in group
                ]
                source = self._helpers(out, source, base)
                name = self.cte(base)
                out.append(Step(name, self.describe(group), source, tuple(columns)))
                source = name
        return out, source

    def describe(self, group: list[Definition]) -> Sql:
        """One comment line per definition: its kind, name, label and line in the card."""
        c, p = self.dialect.comment, self.program
        labels = {r.name: r.label for r in p.rules} | {b.name: b.label for b in p.bins}
        ons = {b.name: b.on for b in p.bins}
        paths = {m.name: m.path for m in p.models}
        lines = []
        for d in group:
            label = labels.get(d.name)
            text = sql("{} {}", c(d.kind), c(d.name)) if d.kind != d.name else c(d.name)
            if d.kind == "bins":
                text = sql("{} on {}", text, c(ons[d.name]))
            if d.kind == "model":
                text = sql("{}: {}", text, c(paths[d.name].name))
            if d.kind == "points":
                text = sql("{}: the sum of the rules and bins", text)
            if label:
                text = sql('{} "{}"', text, c(label))
            if d.span is not None:
                text = sql("{} (line {})", text, d.span.line)
            lines.append(text)
        return join("\n  -- ", lines)

    def add_step(
        self, out: list[Step], source: Sql, base: str, comment: str, columns: list[Column]
    ) -> Sql:
        source = self._helpers(out, source, base)
        name = self.cte(base)
        out.append(Step(name, self.dialect.comment(comment), source, tuple(columns)))
        return name

    def _helpers(self, out: list[Step], source: Sql, base: str) -> Sql:
        hoisted = self.compiler.take_hoisted()
        levels: dict[int, list[Hoisted]] = {}
        for h in hoisted:
            levels.setdefault(h.level, []).append(h)
        for level in sorted(levels):
            name = self.cte(f"{base}_helpers")
            cols = tuple(Column(h.sql, self.dialect.quote(h.name)) for h in levels[level])
            comment = self.dialect.comment("shared subexpressions, computed once")
            out.append(Step(name, comment, source, cols))
            source = name
        return source

    def excluded(self) -> Sql:
        if not self.program.excludes:
            return sql("CAST(NULL AS {})", self.dialect.type_sql(ScalarType.STRING))
        whens = join(
            " ",
            (
                sql("WHEN {} THEN {}", self.compiler.compile(x.cond), self.dialect.string(x.label))
                for x in self.program.excludes
            ),
        )
        return sql("CASE {} END", whens)

    def segment(self) -> Sql:
        whens = []
        for s in self.program.segments:
            cond = sql("TRUE") if s.cond is None else self.compiler.compile(s.cond)
            whens.append(sql("WHEN {} THEN {}", cond, self.dialect.string(s.name)))
        excluded = self.dialect.quote(results.EXCLUDED)
        return sql("CASE WHEN {} IS NULL THEN CASE {} END END", excluded, join(" ", whens))

    def contributions(self) -> list[dict[str, Sql | int | bool]]:
        """Each reason's name, the column ranked for it (`ReasonsDef.sources`), and whether
        that column is never null (`engine.nonnull`: the rounds then need no sign test)."""
        d, reasons = self.dialect, self.program.reasons
        sources = (
            reasons.sources(self.program.contributions)
            if reasons is not None
            else [(n, n) for n in self.program.contributions]
        )
        never_null = self.never_null
        return [
            {
                "name": d.string(name),
                "ord": i,
                "value": d.quote(column),
                "never_null": column in never_null,
            }
            for i, (name, column) in enumerate(sources, start=1)
        ]

    @staticmethod
    def unpicked(contribution: dict[str, Sql | int | bool], picked: list[Sql]) -> Sql:
        """The test that no earlier round of reasons picked `contribution`: its position is
        none of the `picked` ones (empty in the first round)."""
        place = contribution["ord"]
        assert isinstance(place, int)
        return join(" AND ", [sql("{} <> {}", index, place) for index in picked])

    def name_at(self, index: Sql, contributions: list[dict[str, Sql | int | bool]]) -> Sql | None:
        """The contribution's name at a 1-based position, from a list literal where the
        dialect has one (`string_at`: one lookup per row instead of a CASE that tests the
        positions one by one); None where it has not (the template writes the CASE)."""
        if "string_at" not in self.dialect.sql:
            return None
        names = join(", ", [c["name"] for c in contributions])  # type: ignore[misc]
        return self.dialect.render("string_at", index, names)

    def reasons(self, source: Sql) -> dict[str, object] | None:
        """The context of the reasons' templates: K rounds of GREATEST (or LEAST) over the
        contributions, or, past `REASON_ROUNDS_LIMIT`, an unpivot ranked by ROW_NUMBER."""
        p, d = self.program, self.dialect
        if p.reasons is None:
            return None
        count, highest = p.reasons.count, p.reasons.direction == "highest"
        contributions = self.contributions()
        columns = self.reason_columns()
        context: dict[str, object] = {
            "count": count,
            "highest": highest,
            "contributions": contributions,
            "string_type": d.type_sql(ScalarType.STRING),
            "zero": self.compiler.literal(0.0, ScalarType.FLOAT),
            "excluded": d.quote(results.EXCLUDED),
            "columns": columns,
            "source": source,
            "in_steps": False,
            "named": [],
        }
        if count * len(contributions) > REASON_ROUNDS_LIMIT:
            context["template"] = "reasons_ranked"
            context["long"] = self.cte("reasons_long")
            context["ranked"] = self.cte("reasons_ranked")
            context["pivot"] = self.cte("reasons_pivot")
            context["last"] = self.cte("reasons")
            return context
        rounds: list[dict[str, object]] = []
        picked: list[Sql] = []
        for number, column in enumerate(columns if contributions else [], start=1):
            this: dict[str, object] = {
                "number": number,
                "column": column,
                "picked": list(picked),
                "unpicked": [self.unpicked(c, picked) for c in contributions],
                "source": source,
                "best_cte": self.cte(f"reasons_best_{number}"),
                "best": d.quote(self.fresh(f"reason_best_{number}")),
                "index": d.quote(self.fresh(f"reason_index_{number}")),
            }
            this["name_at"] = self.name_at(this["index"], contributions)  # type: ignore[arg-type]
            this["index_cte"] = source = self.cte(f"reasons_pick_{number}")
            rounds.append(this)
            picked.append(this["index"])  # type: ignore[arg-type]
        context["template"] = "reasons_rounds"
        context["rounds"] = rounds
        context["extreme"] = sql("GREATEST") if highest else sql("LEAST")
        context["beyond"] = sql(">") if highest else sql("<")
        context["source"] = source
        context["last"] = self.cte("reasons")
        return context

    def keyed(self) -> ReasonKeys | None:
        """The integer keys of the card's reasons (`engine.reason_keys`), or None where
        they are not used: no reasons, more than `REASON_ROUNDS_LIMIT` reasons x
        contributions (the unpivot), too many general contributions or none that can be a
        reason (the float rounds)."""
        p = self.program
        if p.reasons is None or p.reasons.count * len(p.contributions) > REASON_ROUNDS_LIMIT:
            return None
        keyed = reason_keys.plan(p)
        return keyed if keyed is not None and keyed.width else None

    def keyed_reason_steps(self, keyed: ReasonKeys) -> tuple[list[Step], list[Column]]:
        """Reasons from integer keys (`keyed_reasons.py`): the keys, then per round the
        largest key below the last round's, as steps of the chain, which run as soon as the
        contributions exist (`schedule.py`) and pass on only what is read after them; then
        the names read back from the keys' remainders: a last step of the chain, or, where
        the dialect's flag `reasons_named_after_classes` says so, columns of the final
        SELECT (of its row, `ROW`), returned apart, so that classes' window holds integers."""
        d = self.dialect
        after_classes = d.flag("reasons_named_after_classes")
        ranked = [d.quote(s.column) for s in keyed.sources]

        def number(value: float) -> Sql:
            return self.compiler.literal(value, ScalarType.FLOAT)

        def in_row(column: Sql) -> Sql:
            return sql("{}.{}", ROW, column) if after_classes else column

        keys = [
            Column(
                key_sql(keyed, s, ranked, number), d.quote(self.fresh(f"reason_key_{s.slot + 1}"))
            )
            for s in keyed.sources
        ]
        comment = (
            "reasons: each contribution that can be one as an integer key,"
            " larger for a larger contribution, ties to the earlier"
        )
        out = [Step(self.cte("reason_keys"), d.comment(comment), sql(""), tuple(keys))]
        names = [d.string(s.name) for s in keyed.sources]
        excluded = in_row(d.quote(results.EXCLUDED))
        previous: Sql | None = None
        named: list[Column] = []
        for number_, column in enumerate(self.reason_columns(), start=1):
            best = d.quote(self.fresh(f"reason_key_best_{number_}"))
            if previous is None:
                args = [k.name for k in keys]
                comment = f"reason {number_}: the largest key"
            else:
                args = [
                    sql("CASE WHEN {} < {} THEN {} ELSE 0 END", k.name, previous, k.name)
                    for k in keys
                ]
                comment = f"reason {number_}: the largest key below reason {number_ - 1}'s"
            value = d.render("greatest", join(", ", [sql("0"), *args]))
            cte = self.cte(f"reasons_best_{number_}")
            out.append(Step(cte, d.comment(comment), sql(""), (Column(value, best),)))
            row_best = in_row(best)
            name = self.key_name(row_best, keyed.width, names)
            when = sql("{} IS NULL AND {} > 0", excluded, row_best)
            named.append(Column(sql("CASE WHEN {} THEN {} END", when, name), column))
            previous = best
        if after_classes:
            return out, named
        comment = "the reasons' names, from the keys' remainders; none for excluded rows"
        out.append(Step(self.cte("reasons"), d.comment(comment), sql(""), tuple(named)))
        return out, []

    def reason_columns(self) -> list[Sql]:
        """The result columns reason_1..K (quoted); none without `reasons`."""
        count = 0 if self.program.reasons is None else self.program.reasons.count
        return [self.dialect.quote(results.reason(k)) for k in range(1, count + 1)]

    def key_name(self, best: Sql, width: int, names: list[Sql]) -> Sql:
        """The name of the contribution whose key is `best` (> 0): its slot is `width - 1 -
        best % width`, read from a list of the names where the dialect has list literals,
        else by a CASE on the remainder."""
        d = self.dialect
        remainder = d.render("int_mod", best, sql("{}", width))
        if "string_at" in d.sql:
            return d.render("string_at", sql("({} - {})", width, remainder), join(", ", names))
        arms = [sql("WHEN {} THEN {}", width - 1 - i, n) for i, n in enumerate(names)]
        return sql("CASE {} {} END", remainder, join(" ", arms))

    def scheduled(
        self, steps: list[Step], source: Sql, tail: set[Sql], fuse: bool = True
    ) -> list[Step]:
        """The steps in the order `schedule.order` gives, each reading the one before; with
        `fuse`, a step that reads none of the columns the step before it adds joins that
        step's SELECT.

        Each step is a SELECT that forms a whole row of the columns it passes on. In
        PostgreSQL, where steps are fenced (docs/sql.md), each is a node of the plan that does
        so for every row: the reference card's 20 steps become 12, and the statement takes
        9.28-9.65 s against 9.91-10.12 s at 1M rows. Spark plans the same operators from
        fewer CTEs in less time (analysis and optimisation 0.8-0.9 s against 1.0-1.4 s; warm
        runs 11.0-13.1 s against 11.4-13.7 s), and DuckDB shows no change
        (docs/performance.md). A fused step lists no more columns than the later of its two
        steps did: every column the earlier adds is read after both, so the later one passed
        it on (`check_widths` is unchanged)."""
        first = [c.name for c in self.inputs()]
        out: list[Step] = []
        for i in order(_computed(steps), first, tail):
            step = steps[i]
            if fuse and out and not reads(_text(step), [c.name for c in out[-1].columns]):
                out[-1] = self._fused(out[-1], step)
            else:
                out.append(step)
        sources = [source, *(step.name for step in out[:-1])]
        return [replace(step, source=s) for step, s in zip(out, sources, strict=True)]

    def _fused(self, before: Step, after: Step) -> Step:
        """One step computing the columns of both (their CTE names joined: `lets_bins`)."""
        name = self.cte(f"{_unquoted(before.name)}_{_unquoted(after.name)}")
        comment = sql("{}\n  -- {}", before.comment, after.comment)
        return replace(before, name=name, comment=comment, columns=before.columns + after.columns)

    def pruned(self, steps: list[Step], tail: set[Sql]) -> list[Step]:
        """The steps, each passing on only the columns read after it (`carried.py`)."""
        first = [c.name for c in self.inputs()]
        carried = prune(_computed(steps), first, tail)
        return [replace(s, carried=c) for s, c in zip(steps, carried, strict=True)]

    def check_widths(self, steps: list[Step]) -> None:
        """Refuse a statement the dialect cannot run because one of its SELECTs lists more
        columns than it allows (PostgreSQL: 1,664), naming the widest step; the engine would
        only say so when the statement runs."""
        limit_text = self.dialect.template("max_select_columns")
        if not limit_text:
            return
        limit = int(limit_text)
        widths = [(len(self.inputs()), "inputs")]
        widths += [(len(s.carried or ()) + len(s.columns), str(s.name)) for s in steps]
        width, name = max(widths)
        if width > limit:
            raise SqlCompileError(
                f"its step {name} lists {width:,} columns and {self.dialect.name} allows at"
                f" most {limit:,} in one SELECT; score this card with `scorecard apply`, or"
                " in DuckDB or Spark"
            )

    def result_reads(self) -> set[Sql]:
        """The columns classes and the final SELECT read, besides the reasons."""
        p, d = self.program, self.dialect
        names = {p.key.name, *self.kept, results.SCORE, results.EXCLUDED}
        if p.segments:
            names.add(results.SEGMENT)
        return {d.quote(name) for name in names}

    def tail_reads(self, keyed_reads: set[Sql] | None) -> set[Sql]:
        """The columns the CTEs after the steps read (reasons, classes, the final SELECT);
        `keyed_reads`: what the final SELECT reads to name the keyed reasons."""
        p = self.program
        reads = self.result_reads()
        if p.reasons is not None and keyed_reads is not None:
            reads |= keyed_reads
        elif p.reasons is not None:
            reads |= {c["value"] for c in self.contributions() if isinstance(c["value"], Sql)}
        return reads

    # -- the statement ---------------------------------------------------------------------

    def context(self) -> dict[str, object]:
        p, d = self.program, self.dialect
        duplicated = self.fresh("duplicated_key")
        input_cte = self.cte("inputs")
        validated_cte = self.cte("validated")
        steps, last = self.steps(validated_cte)
        last = self.add_step(
            steps,
            last,
            "excludes",
            "the first matching exclude names the row's exclusion",
            [Column(self.excluded(), d.quote(results.EXCLUDED))],
        )
        if p.segments:
            last = self.add_step(
                steps,
                last,
                "segments",
                "first matching segment; none for excluded rows",
                [Column(self.segment(), d.quote(results.SEGMENT))],
            )
        keyed = self.keyed()
        named: list[Column] = []
        keyed_reads: set[Sql] | None = None
        if keyed is not None:
            keyed_steps, named = self.keyed_reason_steps(keyed)
            steps += keyed_steps
            if named:  # named in the final SELECT: what those columns read of the steps'
                made = [column.name for step in keyed_steps for column in step.columns]
                keyed_reads = reads("\n".join(column.sql for column in named), made)
            else:  # named by the chain's last reasons step
                keyed_reads = set(self.reason_columns())
        tail = self.tail_reads(keyed_reads)
        steps = self.scheduled(steps, validated_cte, tail)
        last = steps[-1].name
        # Reasons before classes: NTILE's window then runs over the few columns the result
        # keeps, not over every contribution (DuckDB buffers whole rows for a window); keyed
        # reasons may be named in the final SELECT, after it (`keyed_reason_steps`).
        reasons: dict[str, object] | None
        if keyed is not None:
            reasons = {"in_steps": True, "columns": self.reason_columns(), "named": named}
        else:
            reasons = self.reasons(last)
        classes_cte = self.cte("classes") if p.classes is not None else None
        steps = self.pruned(steps, tail)
        self.check_widths(steps)
        title = p.metadata.get("title", "")
        return {
            "card": d.comment(p.name),
            "title": d.comment(title) if title else None,
            "dialect_name": d.comment(d.name),
            "table": self.table_sql,
            "input_cte": input_cte,
            "validated_cte": validated_cte,
            "inputs": self.inputs(),
            "key": d.quote(p.key.name),
            "key_is_string": p.key.type is ScalarType.STRING,
            "validation": self.validation(),
            "unique_check": self.unique_check(duplicated),
            "steps": steps,
            "last": last,
            "classes": p.classes,
            "classes_cte": classes_cte,
            "row": ROW,
            "reasons": reasons,
            "has_segment": bool(p.segments),
            "kept": [d.quote(name) for name in self.kept],
            "result": {
                name: d.quote(name)
                for name in (results.SCORE, results.SEGMENT, results.CLASS, results.EXCLUDED)
            },
        }


def _computed(steps: Sequence[Step]) -> list[Computed]:
    """What `carried.prune` and `schedule.order` read of each step: its columns' names and
    its SQL text."""
    return [Computed(tuple(c.name for c in s.columns), _text(s)) for s in steps]


def _text(step: Step) -> str:
    """The SQL text of a step's columns (what it reads)."""
    return "\n".join(c.sql for c in step.columns)


def _unquoted(name: Sql) -> str:
    """A CTE's name without its quotes (CTE names never hold a quote character)."""
    return str(name)[1:-1]


def _steps_of(layer: list[Definition]) -> list[tuple[str, list[Definition]]]:
    """The definitions of a layer by step, in the card's order of steps: (CTE base, group)."""
    groups: dict[str, list[Definition]] = {}
    for d in sorted(layer, key=lambda d: _STEP_ORDER[d.kind]):
        base = f"model_{d.name}" if d.kind == "model" else _STEP_WORDS[d.kind]
        groups.setdefault(base, []).append(d)
    return list(groups.items())


def model_errors(program: Program) -> list[str]:
    """Models in the program that cannot be written in SQL (run on batches only)."""
    names: list[str] = []
    for d in program.definitions:
        for node in ir.walk(d.expr):
            if isinstance(node, ir.ModelBatch) and node.model not in names:
                names.append(node.model)
    return names


def build(
    program: Program,
    dialect: Dialect,
    table_sql: Sql,
    kept: Sequence[str] = (),
    templates: Path | None = None,
) -> Sql:
    """The SELECT statement (no trailing semicolon) for a bound program.

    `kept` names inputs of the card passed through to the result, after the key; `templates`
    is a folder of the user's templates, looked up first."""
    if any(isinstance(n, ir.Param) for d in program.definitions for n in ir.walk(d.expr)):
        raise SqlCompileError("the program has unbound parameters: call bind_params first")
    # The statement's `validated` step refuses a null key or required value before scoring.
    renderer = Renderer(dialect, templates)
    builder = StatementBuilder(
        simplify(program, validated=True), dialect, table_sql, kept, renderer
    )
    return strip(renderer.dispatch("statement", **builder.context()))
