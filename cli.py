"""The `pmdash` command line (SPEC §8): the entry above loaders/ (sync, lint, demo) and
queries/ (export, report).

Exit codes: 0 when every source synced (problems with single documents are warnings in
`load_errors`), 1 when a source failed or lint found problems, 2 on bad usage or config.
Expected failures print one line to stderr, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from loaders.config import (
    PROJECT_DIR,
    SAMPLE_DIR,
    Config,
    SourceConfig,
    load_config,
    store_location,
)
from loaders.model import ConfigError, Source, SourceError
from queries.commands import export_command, report_command

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _config(path: str | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as e:
        click.echo(f"pmdash: {e}", err=True)
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pmdash: turn a team's post-mortems into answers."""


@main.command()
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="pmdash.toml to use."
)
@click.option(
    "--source", "source_names", multiple=True, help="Sync only this configured source (repeatable)."
)
@click.option("--db", help="DuckDB store (default: the config's, else data/pmdash.duckdb).")
@click.option(
    "--git",
    "git_paths",
    multiple=True,
    type=click.Path(),
    help="Sync an ad-hoc folder of Markdown post-mortems.",
)
def sync(
    config_path: str | None,
    source_names: tuple[str, ...],
    db: str | None,
    git_paths: tuple[str, ...],
) -> None:
    """Load post-mortems from the configured sources (or --git folders) into the store."""
    from loaders.enrich import steps_for
    from loaders.sync import build_source
    from loaders.sync import sync as run_sync

    config = _config(config_path)
    try:
        if git_paths:
            if source_names:
                raise ConfigError("use either --git or --source, not both")
            configs = [_ad_hoc_git(Path(p)) for p in git_paths]
        elif source_names:
            configs = [config.source(name) for name in source_names]
        else:
            configs = config.sources
        if not configs:
            raise ConfigError(
                "the config names no sources; add a [[sources]] entry or use --git PATH"
            )
        sources: list[Source] = [build_source(c, config) for c in configs]
    except ConfigError as e:
        click.echo(f"pmdash sync: {e}", err=True)
        sys.exit(EXIT_USAGE)

    target = store_location(db, config)
    try:
        progress = _progress if sys.stderr.isatty() else None
        results = run_sync(target, sources, progress, steps_for(config))
    except SourceError as e:  # the store itself could not be opened or locked
        click.echo(f"pmdash sync: {e.title}: {e}", err=True)
        sys.exit(EXIT_FAILED)
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    for result in results:
        click.echo(result.summary())
    click.echo(f"store: {target}")
    sys.exit(EXIT_FAILED if any(r.status == "failed" for r in results) else EXIT_OK)


def _ad_hoc_git(path: Path) -> SourceConfig:
    if not path.is_dir():
        raise ConfigError(f"--git {path}: not a folder")
    name = path.resolve().name or "git"
    return SourceConfig(name, "git", {"path": str(path.resolve())})


def _progress(source_name: str, seen: int) -> None:
    if seen % 25 == 0:
        click.echo(f"\r\033[K{source_name}: {seen} documents read", err=True, nl=False)


@main.command()
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="pmdash.toml for synonyms and aliases.",
)
def lint(path: str, config_path: str | None) -> None:
    """Check post-mortems in PATH: sections, action-item owners, due dates, tickets, vagueness."""
    from loaders.lint import lint_path

    config = _config(config_path)
    problems = list(lint_path(Path(path), config))
    for problem in problems:
        click.echo(str(problem))
    documents = len({p.document for p in problems})
    if problems:
        click.echo(f"{len(problems)} problems in {documents} documents", err=True)
        sys.exit(EXIT_FAILED)
    click.echo("no problems found", err=True)


@main.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=str(SAMPLE_DIR),
    show_default=True,
    help="Folder to write the sample corpus into.",
)
def demo(out: str) -> None:
    """(Re)generate the sample corpus of post-mortems, deterministically."""
    from loaders.demo import generate

    written = generate(Path(out))
    click.echo(f"wrote {len(written)} files to {out}")


@main.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="pmdash.toml to use."
)
@click.option("--db", help="DuckDB store to show.")
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def serve(config_path: str | None, db: str | None, streamlit_args: tuple[str, ...]) -> None:
    """Start the dashboard (extra arguments go to `streamlit run`)."""
    env = dict(os.environ)
    if config_path:
        env["PMDASH_CONFIG"] = str(Path(config_path).resolve())
    if db:
        env["PMDASH_DB"] = db
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_DIR / "dashboard.py"),
        *streamlit_args,
    ]
    sys.exit(subprocess.call(command, env=env))


@main.command()
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False), help="pmdash.toml to use."
)
@click.option("--db", help="DuckDB store (default: the config's, else data/pmdash.duckdb).")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the triage table as CSV.")
@click.option(
    "--apply",
    "apply_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Merge an edited copy of that CSV into the curation file.",
)
def triage(
    config_path: str | None, db: str | None, out: str | None, apply_path: str | None
) -> None:
    """The Triage page's table as CSV (--out), or an edited copy merged into the curation
    file (--apply): only the fields changed in the copy become curated."""
    import pandas as pd

    from loaders.enrich.curation import write_curation
    from loaders.model import KINDS
    from loaders.store import connect_read_only
    from queries import triage as triage_table
    from queries.export import to_csv_bytes
    from queries.filters import Filters

    if bool(out) == bool(apply_path):
        click.echo(
            "pmdash triage: give exactly one of --out FILE.csv and --apply FILE.csv", err=True
        )
        sys.exit(EXIT_USAGE)
    config = _config(config_path)
    everything = Filters(kinds=KINDS)  # drills and near misses need deciding too
    with connect_read_only(store_location(db, config)) as conn:
        if out:
            frame = triage_table.table(conn, everything)
            Path(out).write_bytes(to_csv_bytes(triage_table.as_csv_frame(frame)))
            click.echo(f"{len(frame)} post-mortems to triage written to {out}")
            return
        current = triage_table.table(conn, everything, pending_only=False)
    edited = pd.read_csv(str(apply_path), dtype=str, keep_default_na=False)
    if "incident_id" not in edited.columns:
        click.echo(f"pmdash triage: {apply_path} has no incident_id column", err=True)
        sys.exit(EXIT_USAGE)
    updates = triage_table.changes(current.to_dict("records"), edited.to_dict("records"))
    unknown = sorted(set(edited["incident_id"]) - set(current["incident_id"]))
    for iid in unknown:
        click.echo(f"pmdash triage: no incident {iid!r} in the store; its row is ignored", err=True)
    if not updates:
        click.echo("no change to apply")
        return
    write_curation(config.curation_file, updates)
    click.echo(
        f"{len(updates)} post-mortems changed in {config.curation_file}; "
        "run `pmdash sync` to apply them to the store"
    )


@main.group()
def suggest() -> None:
    """Suggestions to start a configuration from."""


@suggest.command("services")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def suggest_services(path: str) -> None:
    """Candidate service names in the post-mortems under PATH (code spans, host names,
    repeated capitalised terms), with counts, to write a first catalog from. Tab-separated."""
    from loaders.enrich.suggest import suggest_services as candidates

    click.echo("mentions\tdocuments\tsignal\tname")
    for c in candidates(Path(path)):
        click.echo(f"{c.mentions}\t{c.documents}\t{c.signal}\t{c.name}")


# `pmdash export` and `pmdash report` live with the queries they run (queries/commands.py).
main.add_command(export_command)
main.add_command(report_command)
