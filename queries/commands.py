"""`pmdash export` and `pmdash report` (SPEC §8): the dashboard's tables and the quarterly
pack from the command line, with the dashboard's filters as options.

Registered on the `pmdash` group in cli.py. Both open the store read-only, found
the way every command finds it (`--db`, `$PMDASH_DB`, the config, data/pmdash.duckdb).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import duckdb

from loaders.config import Config, load_config, store_location
from loaders.model import KINDS, ConfigError
from loaders.store import StoreError, connect_read_only, is_file_store
from queries import quarterly, recurrence, report, report_html, review_charts
from queries.filters import DEFAULT_KINDS, DIMENSIONS, Filters
from queries.incidents import PERIODS
from queries.quality import DURATION_GROUPS
from queries.tables import TABLES, View, write_csv

EXIT_FAILED, EXIT_USAGE = 1, 2


def _store_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--db", help="DuckDB store (default: the config's, else data/pmdash.duckdb)."
    )(command)
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), help="pmdash.toml to use.")(command)  # fmt: skip


def _filter_options(*, dates: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The dashboard's sidebar filters as options; the quarterly report has no date range."""
    date_options = [
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First incident date."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last incident date."),
    ]
    options = (date_options if dates else []) + [
        click.option("--severity", multiple=True, help="Severity level, or 'unrated' (repeatable)."),
        click.option("--service", multiple=True, help="Service (repeatable)."),
        click.option("--category", multiple=True, help="Category (repeatable)."),
        click.option("--source", multiple=True, help="Source name (repeatable)."),
        click.option("--kind", multiple=True, type=click.Choice(KINDS), default=DEFAULT_KINDS,
                     show_default=True, help="Kinds of post-mortem (repeatable)."),
        click.option("--dim", type=click.Choice(DIMENSIONS),
                     help="What two incidents share to count as a repeat (default: what the "
                          "store's incidents name, as on the dashboard)."),
    ]  # fmt: skip

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _filters(options: dict[str, Any]) -> Filters:
    def day(value: datetime | None) -> date | None:
        return value.date() if value else None

    return Filters(
        start=day(options.get("since")),
        end=day(options.get("until")),
        severities=tuple(options["severity"]),
        services=tuple(options["service"]),
        categories=tuple(options["category"]),
        sources=tuple(options["source"]),
        kinds=tuple(options["kind"]),
    )


def refuse_missing_store(db: str, command: str) -> None:
    """Stop with one line when a command that reads the store is pointed at no store at all:
    a typo in `--db` must not read as an empty store (an empty CSV, an empty dashboard)."""
    if is_file_store(db) and not Path(db).exists():
        click.echo(
            f"pmdash {command}: no store at {db}; run `pmdash sync --db {db}` first, "
            "or point --db (or $PMDASH_DB) at an existing store.",
            err=True,
        )
        sys.exit(EXIT_FAILED)


def open_store(db: str, command: str) -> duckdb.DuckDBPyConnection:
    """The store read-only for a command that reports on it; one line and exit 1 when there
    is none, or it cannot be used (corrupt, locked, another program's, an older schema)."""
    refuse_missing_store(db, command)
    try:
        return connect_read_only(db)
    except StoreError as e:
        click.echo(f"pmdash {command}: {e.title}: {e}", err=True)
        sys.exit(EXIT_FAILED)


def _open(
    config_path: str | None, db: str | None, command: str
) -> tuple[Config, duckdb.DuckDBPyConnection]:
    try:
        config = load_config(config_path)
    except ConfigError as e:
        click.echo(f"pmdash: {e}", err=True)
        sys.exit(EXIT_USAGE)
    return config, open_store(store_location(db, config), command)


@click.command("export")
@click.argument("table_name", metavar="TABLE", type=click.Choice(list(TABLES)))
@click.option("--out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="CSV file to write; `-` for stdout.")  # fmt: skip
@_filter_options(dates=True)
@click.option("--period", type=click.Choice(PERIODS), default="month", show_default=True,
              help="Bucket of the counts over time.")  # fmt: skip
@click.option("--by", "duration_by", type=click.Choice(DURATION_GROUPS), default="severity",
              show_default=True, help="Grouping of the durations table.")  # fmt: skip
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Day overdue is judged on (default today)."
)
@_store_options
def export_command(table_name: str, out: str, config_path: str | None, db: str | None,
                   period: str, duration_by: str, as_of: datetime | None, **options: Any) -> None:  # fmt: skip
    """Write one of the dashboard's tables as CSV, with the dashboard's filters."""
    config, conn = _open(config_path, db, "export")
    view = View(
        today=date.today(),
        filters=_filters(options),
        dim=options["dim"] or recurrence.default_dimension(conn).dim,
        window_days=config.window_days,
        threshold=config.threshold,
        period=period,
        duration_by=duration_by,
        as_of=as_of.date() if as_of else None,
    )
    if out == "-":
        with tempfile.TemporaryDirectory(prefix="pmdash-csv-") as folder:
            path = Path(folder) / f"{table_name}.csv"
            write_csv(conn, table_name, view, path)
            with path.open("rb") as written:
                shutil.copyfileobj(written, sys.stdout.buffer)
        return
    rows = write_csv(conn, table_name, view, Path(out))
    click.echo(f"wrote {rows} rows to {out}", err=True)


@click.command("report")
@click.option("--quarter", required=True,
              help="Quarter to review, e.g. 2025Q3, or 'last': the last complete quarter.")  # fmt: skip
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the pack.")
@_filter_options(dates=False)
@_store_options
def report_command(quarter: str, out: str, config_path: str | None, db: str | None,
                   **options: Any) -> None:  # fmt: skip
    """Write the quarterly review pack: a Markdown and an HTML report and a zip of its CSVs."""
    try:
        chosen = quarterly.resolve(quarter, date.today())
    except ValueError as e:
        click.echo(f"pmdash report: {e} Or write 'last' for the last complete quarter.", err=True)
        sys.exit(EXIT_USAGE)
    config, conn = _open(config_path, db, "report")
    review = quarterly.review(
        conn,
        _filters(options),
        chosen,
        dim=options["dim"] or recurrence.default_dimension(conn).dim,
        window_days=config.window_days,
        threshold=config.threshold,
    )
    pack = report.write_pack(review, Path(out))
    charts = review_charts.collect(conn, review)
    levels = config.severity_levels
    pack.insert(1, report_html.write(review, charts, Path(out), severity_levels=levels))
    for path in pack:
        click.echo(f"wrote {path}")
