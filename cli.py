"""The `pmdash` command line (SPEC §8): the entry above loaders/ (sync, lint, demo) and
queries/ (export, report).

Exit codes: 0 when every source synced (problems with single documents are warnings in
`load_errors`), 1 when a source failed, lint found problems or the store does not exist,
2 on bad usage or config. Expected failures print one line to stderr, never a traceback.
Results go to stdout (`--json` for machines); progress, summaries and logs go to stderr.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import tomllib
from pathlib import Path
from typing import TextIO

import click

from loaders.config import (
    PROJECT_DIR,
    SAMPLE_DIR,
    STREAMLIT_CONFIG,
    Config,
    SourceConfig,
    load_config,
    mixing,
    store_location,
)
from loaders.model import ConfigError, Source, SourceError
from queries.commands import export_command, open_store, refuse_missing_store, report_command

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _config(path: str | None) -> Config:
    try:
        return load_config(path)
    except ConfigError as e:
        click.echo(f"pmdash: {e}", err=True)
        sys.exit(EXIT_USAGE)


class _CliLogHandler(logging.StreamHandler[TextIO]):
    """The one handler `pmdash` adds to the root logger, writing to the stderr of the moment."""


def _set_up_logging(verbosity: int) -> None:
    """Warnings by default, `-v` info (the Confluence client's retries), `-vv` debug, `-q` errors.

    Done once per command; a handler left by an earlier command in the same process (tests)
    is replaced, never added to.
    """
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _CliLogHandler)]:
        root.removeHandler(handler)
    handler = _CliLogHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("pmdash: %(levelname)s: %(message)s (%(name)s)"))
    root.addHandler(handler)
    root.setLevel(level)


def _say(message: str) -> None:
    """A note for the person at the terminal (stderr), silenced by `-q`."""
    if logging.getLogger().level <= logging.WARNING:
        click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pmdash", prog_name="pmdash", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Log more: -v for info, -vv for debug.")
@click.option("-q", "--quiet", is_flag=True, help="Log only errors and print only results.")
def main(verbose: int, quiet: bool) -> None:
    """pmdash: turn a team's post-mortems into answers."""
    _set_up_logging(-1 if quiet else verbose)


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
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def sync(
    config_path: str | None,
    source_names: tuple[str, ...],
    db: str | None,
    git_paths: tuple[str, ...],
    as_json: bool,
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
    if not git_paths:  # folders named on the command line are the user's explicit choice
        _refuse_mixing(target, config, [c.name for c in configs])
    try:
        progress = _progress if sys.stderr.isatty() and not as_json else None
        results = run_sync(target, sources, progress, steps_for(config))
    except SourceError as e:  # the store itself could not be opened or locked
        click.echo(f"pmdash sync: {e.title}: {e}", err=True)
        sys.exit(EXIT_FAILED)
    except OSError as e:  # the store's folder cannot be written
        click.echo(f"pmdash sync: the store {target} could not be written: {e}", err=True)
        sys.exit(EXIT_FAILED)
    if sys.stderr.isatty():
        click.echo("\r\033[K", err=True, nl=False)
    if as_json:
        rows = [dataclasses.asdict(r) for r in results]
        click.echo(json.dumps({"store": target, "sources": rows}, indent=2))
    else:
        for result in results:
            click.echo(result.summary())
        _say(f"store: {target}")
    sys.exit(EXIT_FAILED if any(r.status == "failed" for r in results) else EXIT_OK)


def _refuse_mixing(target: str, config: Config, names: list[str]) -> None:
    """Say what a sync without a config does, and refuse to add sources to a store that holds
    others unless the config names that store (loaders.config.mixing)."""
    from loaders.store import StoreError, connect_read_only, is_file_store
    from queries.quality import store_sources

    if config.path is None:
        click.echo(f"pmdash sync: no config given: syncing the bundled sample corpus into "
                   f"{target}", err=True)  # fmt: skip
    if not is_file_store(target) or not Path(target).exists():
        return
    try:
        with connect_read_only(target) as conn:
            held = store_sources(conn)["source"].tolist()
    except StoreError:
        return  # the sync itself says what is wrong with the store
    reason = mixing(target, config, names, held)
    if reason:
        click.echo(f"pmdash sync: refused: {reason}", err=True)
        sys.exit(EXIT_USAGE)


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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="`file:line: problem` lines, a JSON list, or GitHub Actions annotations.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
def lint(path: str, config_path: str | None, output_format: str, as_json: bool) -> None:
    """Check post-mortems in PATH: sections, action-item owners, due dates, tickets, vagueness."""
    from loaders.lint import lint_path

    config = _config(config_path)
    problems = list(lint_path(Path(path), config))
    if as_json or output_format == "json":
        click.echo(json.dumps([dataclasses.asdict(p) for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(problem.github() if output_format == "github" else str(problem))
    documents = len({p.document for p in problems})
    if problems:
        _say(f"{len(problems)} problems in {documents} documents")
        sys.exit(EXIT_FAILED)
    _say("no problems found")


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
    _say(f"wrote {len(written)} files to {out}")


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
    refuse_missing_store(store_location(db, _config(config_path)), "serve")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_DIR / "dashboard.py"),
        *_streamlit_settings(),
        *streamlit_args,  # after pmdash's settings, so the user's win
    ]
    # Streamlit takes this process's place, so a signal that stops `pmdash serve` stops the
    # server itself instead of leaving it running without its parent.
    os.execve(sys.executable, command, env)


def _streamlit_settings() -> list[str]:
    """pmdash's .streamlit/config.toml as flags: Streamlit reads that file only from the
    working directory, and `pmdash serve` runs from anywhere (an installed pmdash included)."""
    settings = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    return [
        f"--{section}.{key}={json.dumps(value) if isinstance(value, bool) else value}"
        for section, values in settings.items()
        for key, value in values.items()
    ]


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
    with open_store(store_location(db, config), "triage") as conn:
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
