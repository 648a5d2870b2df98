"""The shape of `pmdash.toml`: one small pydantic model per section, checked strictly.

A key the schema does not know is an error (a typo such as `[recurence]` or `globb` must not be
ignored silently), and so is a value of the wrong type (`window_days = true` is not 1). Each field
says what it must be with `must_be(...)`, whose text completes "… must be": the error a user sees
is `pmdash.toml:12: [recurrence] window_days must be a positive whole number (got true).`
`loaders.config_errors` turns pydantic's errors into those lines; `loaders.config` turns the
validated `ConfigFile` into the `Config` the rest of pmdash reads.

Adding a section, say `[curation] path`:
1. a model here, `class CurationSection(Section): path: Annotated[str, must_be("a file path")] = ""`
   (a default for every field: a config that leaves the section out still loads);
2. a field on `ConfigFile`: `curation: CurationSection = CurationSection()`;
3. a field on `loaders.config.Config` and one line in `loaders.config.parse_config` that copies
   it (or keep the section model itself as the field: `config.curation.path`).
A sub-table (`[trackers.jira]`) is a model holding models. Checks across fields (a level named
by an alias must exist) go in a `@model_validator(mode="after")` raising `ValueError("…")`.
A new kind of source is one more model in `SourceEntry` with `kind: Literal["…"]`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from loaders.model import LABELLED_FIELDS, SECTIONS

DEFAULT_SEVERITY_LEVELS = ("SEV1", "SEV2", "SEV3", "SEV4", "SEV5")
# Pairs of incidents at or above this combined similarity are "similar" (measured on real
# post-mortems: loaders/enrich/similarity.py).
DEFAULT_SIMILARITY = 0.5


def must_be(what: str, *, each: bool = False) -> WrapValidator:
    """Replace pydantic's wording with what the value must be, in the config's own terms.

    With `each`, `what` describes one entry of a table (`[services.aliases] payments = 3`), and
    the error names that entry's key.
    """

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as e:
            first = e.errors()[0]
            if each and not isinstance(value, dict):
                raise PydanticCustomError(
                    "config_value",
                    "must be {what}",
                    {"what": f"a table whose entries are each {what}"},
                ) from None
            if each and first["loc"] and isinstance(first["loc"][0], str):
                key = first["loc"][0]
                shown = value.get(key) if isinstance(value, dict) else value
                raise PydanticCustomError(
                    "config_entry", "{key} must be {what}", {"what": what, "key": key, "got": shown}
                ) from None
            raise PydanticCustomError("config_value", "must be {what}", {"what": what}) from None

    return WrapValidator(check)


class Section(BaseModel):
    """A table of the config: no unknown keys, no type coercion (TOML values are typed)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


NAME = Annotated[str, Field(min_length=1)]
ENV_NAME = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
GLOBS = str | list[str]
ALIASES = Annotated[
    dict[str, str | list[str]],
    must_be("a name or a list of spellings", each=True),
]


class StoreSection(Section):
    path: Annotated[NAME, must_be("a file path or a DuckDB database string")] | None = None


class SeveritySection(Section):
    levels: Annotated[
        list[NAME], Field(min_length=1), must_be("a list of names, most severe first")
    ] = list(DEFAULT_SEVERITY_LEVELS)
    aliases: ALIASES = {}

    @model_validator(mode="after")
    def _aliases_name_levels(self) -> SeveritySection:
        targets = {v for k, v in self.aliases.items() if isinstance(v, str)}
        targets |= {k for k, v in self.aliases.items() if isinstance(v, list)}
        unknown = sorted(targets - set(self.levels))
        if unknown:
            raise ValueError(
                f"[severity.aliases] maps to {unknown}, which are not in the levels "
                f"{list(self.levels)}"
            )
        return self


class AliasSection(Section):
    """`[services]` and `[categories]`: raw spellings -> one canonical name."""

    aliases: ALIASES = {}


WORDS = Annotated[str | list[str], must_be("a list of words")]


def known_keys(known: tuple[str, ...]) -> AfterValidator:
    """A table keyed by a fixed vocabulary (section or field names): another key is a typo."""

    def check(value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if key not in known:
                raise PydanticCustomError(
                    "config_unknown_key", "unknown key {key}", {"key": key, "known": known}
                )
        return value

    return AfterValidator(check)


class ServicesSection(AliasSection):
    """`[services]`: aliases, plus the catalog mentions are matched against (SPEC §4.5)."""

    catalog: Annotated[NAME, must_be("a path to Backstage catalog-info.yaml files")] | None = None
    infer: Annotated[bool, must_be("true or false")] = True


class CategoriesSection(AliasSection):
    """`[categories]`: aliases, plus the taxonomy categories are inferred from (SPEC §4.5)."""

    taxonomy: Annotated[dict[str, WORDS], must_be("a list of phrases", each=True)] = {}
    infer: Annotated[bool, must_be("true or false")] = True
    default_taxonomy: Annotated[bool, must_be("true or false")] = True


class CurationSection(Section):
    path: Annotated[NAME, must_be("a file path")] | None = None


class ParsingSection(Section):
    headings: Annotated[dict[str, WORDS], known_keys(SECTIONS)] = {}
    labels: Annotated[dict[str, WORDS], known_keys(LABELLED_FIELDS)] = {}


class RecurrenceSection(Section):
    window_days: Annotated[int, Field(gt=0), must_be("a positive whole number")] = 180
    threshold: Annotated[int, Field(gt=0), must_be("a positive whole number")] = 3
    # The cut-off for similar incidents (loaders/enrich/similarity.py says how it was chosen).
    similarity: Annotated[float, Field(gt=0, le=1), must_be("a number above 0 and at most 1")] = (
        DEFAULT_SIMILARITY
    )


class GitHubTrackerSection(Section):
    """`[trackers.github]` (SPEC §4.4): leave `token_env` out to read public repositories
    anonymously; naming an unset variable is an error, never a silent fall-back."""

    token_env: Annotated[ENV_NAME, must_be("the name of an environment variable")] | None = None
    api_url: Annotated[str, Field(pattern=r"^https?://"), must_be("an http(s) URL")] = (
        "https://api.github.com"
    )
    default_repo: (
        Annotated[str, Field(pattern=r"^[\w.-]+/[\w.-]+$"), must_be('"owner/name"')] | None
    ) = None


class JiraTrackerSection(Section):
    """`[trackers.jira]` (SPEC §4.4): `username_env` is left out for a Data Center token."""

    url: Annotated[str, Field(pattern=r"^https?://"), must_be("the Jira address (http(s) URL)")]
    token_env: Annotated[ENV_NAME, must_be("the name of an environment variable")]
    username_env: Annotated[ENV_NAME, must_be("the name of an environment variable")] | None = None
    project_keys: (
        Annotated[list[Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]+$")]],
                  must_be("a list of project keys such as OPS")] | None
    ) = None  # fmt: skip
    cloud: Annotated[bool, must_be("true or false")] | None = None


class TrackersSection(Section):
    github: GitHubTrackerSection | None = None
    jira: JiraTrackerSection | None = None


class GitSource(Section):
    name: NAME
    kind: Literal["git"]
    path: Annotated[NAME, must_be("the folder of the post-mortems")]
    glob: Annotated[GLOBS, must_be("a glob or a list of globs")] = "**/*.md"
    exclude: Annotated[GLOBS, must_be("a glob or a list of globs")] = []
    url_template: Annotated[str, must_be("a URL containing {path}")] | None = None


class NotionSource(Section):
    name: NAME
    kind: Literal["notion"]
    database_id: Annotated[str, must_be("the database's id or URL")] | None = None
    token_env: Annotated[ENV_NAME, must_be("the name of an environment variable")] | None = None
    api_url: Annotated[str, must_be("an http(s) URL")] | None = None
    properties: Annotated[dict[str, str], must_be("a property name", each=True)] = {}
    action_item_properties: Annotated[dict[str, str], must_be("a property name", each=True)] = {}


class ConfluenceSource(Section):
    name: NAME
    kind: Literal["confluence"]
    url: Annotated[str, must_be("the Confluence address")] | None = None
    space: Annotated[str, must_be("a space key such as ENG")] | None = None
    label: Annotated[str, must_be("a page label")] | None = None
    cql: Annotated[str, must_be("a CQL query")] | None = None
    username_env: Annotated[ENV_NAME, must_be("the name of an environment variable")] | None = None
    token_env: Annotated[ENV_NAME, must_be("the name of an environment variable")] | None = None
    cloud: Annotated[bool, must_be("true or false")] | None = None


SourceEntry = Annotated[GitSource | NotionSource | ConfluenceSource, Field(discriminator="kind")]
SOURCE_KINDS = ("git", "notion", "confluence")


class ConfigFile(Section):
    store: StoreSection = StoreSection()
    sources: list[SourceEntry] = []
    severity: SeveritySection = SeveritySection()
    services: ServicesSection = ServicesSection()
    categories: CategoriesSection = CategoriesSection()
    parsing: ParsingSection = ParsingSection()
    recurrence: RecurrenceSection = RecurrenceSection()
    curation: CurationSection = CurationSection()
    trackers: TrackersSection = TrackersSection()

    @model_validator(mode="after")
    def _unique_source_names(self) -> ConfigFile:
        names = [s.name for s in self.sources]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two sources are named {name!r}; names must be unique")
        return self


def source_options(kind: str) -> tuple[str, ...]:
    """The keys a source of this kind takes besides `name` and `kind`."""
    models: dict[str, type[BaseModel]] = {
        "git": GitSource, "notion": NotionSource, "confluence": ConfluenceSource
    }  # fmt: skip
    model = models[kind]
    return tuple(k for k in model.model_fields if k not in ("name", "kind"))


def keys_at(loc: tuple[str | int, ...]) -> tuple[str, ...]:
    """The keys the table at `loc` (a path as pydantic reports it) may hold, for suggestions."""
    models: list[type[BaseModel]] = [ConfigFile]
    for part in loc:
        if isinstance(part, int):
            continue
        if len(models) > 1:  # a union of source kinds: pydantic names the kind next
            models = [m for m in models if part in get_args(m.model_fields["kind"].annotation)]
            continue
        field = models[0].model_fields.get(part) if models else None
        models = _models_in(field.annotation) if field else []
    return tuple(models[0].model_fields) if len(models) == 1 else ()


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]
