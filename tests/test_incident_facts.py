"""`incident_facts` (loaders/enrich/incident_facts.py) gives the queries that read it what they
computed before it existed, through joins on `incident_services` and `incident_categories`,
under every sidebar filter: the sample corpus synced as `pmdash sync` syncs it, with its
service and category links spread over every basis (a service linked twice under two bases
too), as the catalog, the taxonomy and the curation file leave them."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest

from loaders.enrich.dashboard_facts import DashboardFacts
from loaders.store import connect_read_only
from queries import incidents, quality, triage
from queries.filters import FIRM_BASES, Filters

# The selection and the counts as the queries worked them out before the table existed.
BEFORE = """
with counted_services as (
    select * from incident_services where list_contains(cast($bases as varchar[]), basis)
),
counted_categories as (
    select * from incident_categories where list_contains(cast($bases as varchar[]), basis)
),
filtered_incidents as (
    select i.* from incidents i
    where (cast($start as date) is null or i.incident_date >= cast($start as date))
      and (cast($end as date) is null or i.incident_date <= cast($end as date))
      and (len(cast($severities as varchar[])) = 0
           or list_contains(cast($severities as varchar[]), coalesce(i.severity, 'unrated')))
      and (len(cast($sources as varchar[])) = 0
           or list_contains(cast($sources as varchar[]), i.source_name))
      and list_contains(cast($kinds as varchar[]), coalesce(i.kind, 'incident'))
      and (len(cast($services as varchar[])) = 0 or i.incident_id in (
            select s.incident_id from counted_services s
            where list_contains(cast($services as varchar[]), s.service)))
      and (len(cast($categories as varchar[])) = 0 or i.incident_id in (
            select c.incident_id from counted_categories c
            where list_contains(cast($categories as varchar[]), c.category)))
)
"""
COUNTS_BEFORE = (
    BEFORE
    + """
select
    count(*) as incidents,
    count(*) filter (where s.incident_id is not null) as with_service,
    count(*) filter (where c.incident_id is not null) as with_category,
    count(*) filter (where s.incident_id is not null and c.incident_id is not null)
        as with_service_and_category,
    count(m.incident_id) as with_similar,
    count(f.incident_date) as with_date,
    count(*) filter (where f.time_to_detect_minutes is not null
                        or f.time_to_recover_minutes is not null) as with_duration
from filtered_incidents f
left join (select distinct incident_id from counted_services) s on s.incident_id = f.incident_id
left join (select distinct incident_id from counted_categories) c on c.incident_id = f.incident_id
left join (select distinct incident_id from similar_incidents) m on m.incident_id = f.incident_id
"""
)
SELECTED_BEFORE = BEFORE + "select incident_id from filtered_incidents order by incident_id"
TOP_SERVICES_BEFORE = (
    BEFORE
    + """
select s.service, count(*) as incidents
from filtered_incidents f join counted_services s on s.incident_id = f.incident_id
where len(cast($services as varchar[])) = 0
   or list_contains(cast($services as varchar[]), s.service)
group by all order by incidents desc, service
"""
)
MIX_BEFORE = (
    BEFORE
    + """
select 'service' as field, s.basis, count(*) as links
from filtered_incidents f join incident_services s on s.incident_id = f.incident_id
group by all
union all
select 'category', c.basis, count(*)
from filtered_incidents f join incident_categories c on c.incident_id = f.incident_id
group by all
order by field desc, basis
"""
)
BASES = ["stated", "mentioned", "inferred", "curated"]


@pytest.fixture(scope="module")
def mixed_db(enriched_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The synced sample, its links spread over every basis, then the sync's last step again."""
    db = str(tmp_path_factory.mktemp("facts") / "store.duckdb")
    shutil.copy(enriched_db, db)
    with duckdb.connect(db) as conn:
        for table, name in (("incident_services", "service"), ("incident_categories", "category")):
            conn.execute(
                f"update {table} set basis = $bases[1 + cast(hash(incident_id || {name}) % 4 as int)]",
                {"bases": BASES},
            )
        # The same service linked twice, stated and mentioned, as a catalog can find it again.
        conn.execute(
            "insert into incident_services select incident_id, service, service_raw, 'mentioned' "
            "from incident_services where basis = 'stated' and hash(incident_id) % 3 = 0"
        )
        DashboardFacts().run(conn, changed=True)
    return db


def filter_sets(conn: duckdb.DuckDBPyConnection) -> list[Filters]:
    (service, other), (category,) = (
        [r[0] for r in conn.execute(
            f"select {name} from {table} group by all order by count(*) desc, {name} limit {n}"
        ).fetchall()]
        for table, name, n in (("incident_services", "service", 2),
                               ("incident_categories", "category", 1))
    )  # fmt: skip
    return [
        Filters(),
        Filters(kinds=()),
        Filters(bases=FIRM_BASES),
        Filters(bases=("mentioned", "inferred")),
        Filters(start=date(2025, 1, 1), end=date(2025, 12, 31)),
        Filters(services=(service,)),
        Filters(services=(service, other), bases=FIRM_BASES),
        Filters(categories=(category,), bases=("inferred",)),
        Filters(services=(service,), categories=(category,), severities=("unrated", "SEV2")),
        Filters(sources=("sample",), kinds=("drill", "incident")),
    ]


def before(conn: duckdb.DuckDBPyConnection, sql: str, filters: Filters) -> pd.DataFrame:
    params = filters.params()
    named = duckdb.extract_statements(sql)[0].named_parameters
    return conn.execute(sql, {k: v for k, v in params.items() if k in named}).df()


def test_the_store_has_every_basis_and_double_links(mixed_db: str) -> None:
    conn = connect_read_only(mixed_db)
    bases = {b for (b,) in conn.execute("select distinct basis from incident_services").fetchall()}
    assert bases == set(BASES)  # not vacuous: the switch changes what counts
    (twice,) = conn.execute(
        "select count(*) from (select incident_id, service from incident_services "
        "group by all having count(*) > 1)"
    ).fetchone() or (0,)
    assert twice > 0


def test_field_counts_and_the_selection_are_those_of_the_joins(mixed_db: str) -> None:
    conn = connect_read_only(mixed_db)
    for filters in filter_sets(conn):
        counts = incidents.field_counts(conn, filters)
        expected = before(conn, COUNTS_BEFORE, filters).iloc[0]
        assert counts.to_dict() == expected.to_dict(), filters
        selected = before(conn, SELECTED_BEFORE, filters)["incident_id"].tolist()
        shown = sorted(incidents.table(conn, filters)["incident_id"])
        assert shown == selected, filters


def test_top_services_and_the_basis_mix_are_those_of_the_joins(mixed_db: str) -> None:
    conn = connect_read_only(mixed_db)
    for filters in filter_sets(conn):
        top = incidents.top(conn, filters, by="service", limit=1000)
        expected = before(conn, TOP_SERVICES_BEFORE, filters)
        assert top[["service", "incidents"]].values.tolist() == expected.values.tolist(), filters
        mix = incidents.basis_mix(conn, filters)
        assert mix.values.tolist() == before(conn, MIX_BEFORE, filters).values.tolist(), filters


def test_the_filter_values_are_those_the_links_hold(mixed_db: str) -> None:
    """`filter_values`, kept at sync, offers what grouping the incidents and their link rows
    offered on every view, in the same order: severities by rank with 'unrated' (no
    severity) last, every basis's services and categories once each."""
    conn = connect_read_only(mixed_db)
    grouped = conn.execute("""
        select 'severity' as filter, coalesce(severity, 'unrated') as value,
               min(coalesce(severity_rank, 1000000)) as sort_key
        from incidents group by all
        union all select 'service', service, 0 from incident_services group by all
        union all select 'category', category, 0 from incident_categories group by all
        union all select 'source', source_name, 0 from incidents group by all
        order by filter, sort_key, value
    """).fetchall()
    offered = incidents.filter_options(conn)
    assert offered.values.tolist() == [[f, v] for f, v, _ in grouped]
    # Not vacuous: the mixed store has services of every basis, and unrated incidents.
    assert {"service", "category", "severity", "source"} <= set(offered["filter"])
    severities = offered.loc[offered["filter"] == "severity", "value"].tolist()
    assert severities[-1] == "unrated" and len(severities) > 1


def test_each_row_holds_its_incidents_links_by_basis(mixed_db: str) -> None:
    conn = connect_read_only(mixed_db)
    facts = (
        conn.execute("select * from incident_facts order by incident_id")
        .df()
        .set_index("incident_id")
    )
    links = conn.execute("select incident_id, service, basis from incident_services").df()
    assert len(facts) == conn.execute("select count(*) from incidents").fetchone()[0]  # type: ignore[index]
    for basis in BASES:
        kept = facts[f"services_{basis}"].map(list)
        expected = (
            links[links["basis"] == basis]
            .sort_values("service")
            .groupby("incident_id")["service"]
            .agg(list)
        )
        assert kept.to_dict() == {i: expected.get(i, []) for i in facts.index}, basis
    # service_bases: which lists hold a value, as bits (1 stated, 2 mentioned, 4 inferred, 8 curated)
    bits = links.assign(bit=links["basis"].map({b: 1 << n for n, b in enumerate(BASES)}))
    expected_bits = bits.drop_duplicates(["incident_id", "bit"]).groupby("incident_id")["bit"].sum()
    assert facts["service_bases"].to_dict() == {i: expected_bits.get(i, 0) for i in facts.index}


def test_triage_and_coverage_by_basis_read_the_same_bases(mixed_db: str) -> None:
    conn = connect_read_only(mixed_db)
    every_kind = Filters(kinds=())
    table = triage.table(conn, every_kind, pending_only=False).set_index("incident_id")
    services = (
        conn.execute(
            "select incident_id, list(service order by service) as services, "
            "string_agg(distinct basis, ', ' order by basis) as bases "
            "from incident_services group by incident_id"
        )
        .df()
        .set_index("incident_id")
    )
    for incident_id, row in services.iterrows():
        assert table.loc[incident_id, "services"] == list(row["services"])
        assert table.loc[incident_id, "services_basis"] == row["bases"]
    coverage = quality.field_coverage_by_basis(conn, Filters()).set_index("field")
    # The strongest basis per incident: curated, then stated, then mentioned (services).
    strongest = conn.execute(
        "select arg_min(basis, list_position(['curated', 'stated', 'mentioned'], basis)) "
        "from incident_services s join incidents i using (incident_id) "
        "where coalesce(i.kind, 'incident') = 'incident' group by incident_id"
    ).fetchall()
    (selected,) = conn.execute(
        "select count(*) from incidents where coalesce(kind, 'incident') = 'incident'"
    ).fetchone() or (0,)
    for basis in ("curated", "stated", "mentioned"):
        share = sum(b == basis for (b,) in strongest) / selected
        assert coverage.loc["service", basis] == pytest.approx(share), basis
