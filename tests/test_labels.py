"""How tables read (pages/ui/labels.py): labels, order, hidden ids, links, formats."""

from __future__ import annotations

import pandas as pd

from pages.ui import labels

LEVELS = ("SEV1", "SEV2", "SEV3")


def incidents(urls: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "incident_id": ["a:1.md", "a:2.md"],
            "incident_date": pd.to_datetime(["2026-07-01", "2026-08-02"]),
            "title": ["Payments down", "Checkout slow"],
            "url": urls,
            "severity": ["SEV1", "unrated"],
            "time_to_recover_minutes": [65.0, None],
            "repeat_rate": [0.25, 0.5],
        }
    )


def test_title_first_with_its_link_beside_it_and_ids_hidden() -> None:
    frame = incidents(["https://example.com/1", None])
    assert labels.column_order(frame) == [
        "title", "url", "incident_date", "severity", "time_to_recover_minutes", "repeat_rate",
    ]  # fmt: skip


def test_no_link_column_when_no_row_has_a_link() -> None:
    assert "url" not in labels.column_order(incidents([None, None]))


def test_ticket_link_sits_after_the_ticket() -> None:
    items = pd.DataFrame(
        {
            "action_item_id": ["a#1"],
            "ticket_url": ["https://t/OPS-1"],
            "title": ["Fix"],
            "ticket": ["OPS-1"],
            "owner": ["ann"],
        }  # fmt: skip
    )
    assert labels.column_order(items) == ["title", "ticket", "ticket_url", "owner"]


def test_labels_and_formats() -> None:
    config = labels.column_config(incidents(["https://example.com/1", None]), LEVELS)
    assert config["incident_id"] is None  # hidden
    assert config["incident_date"]["label"] == "Date"
    assert config["incident_date"]["type_config"]["format"] == "D MMM YYYY"
    assert config["time_to_recover_minutes"]["label"] == "Time to recover"
    assert config["repeat_rate"]["type_config"]["format"] == "percent"
    assert config["url"]["type_config"]["display_text"] == ":material/open_in_new:"
    # Severity as a coloured label: every level has its colour, most severe first.
    severity = config["severity"]["type_config"]
    assert severity["type"] == "multiselect"
    assert [o["value"] for o in severity["options"]] == ["SEV1", "SEV2", "SEV3", "unrated"]
    assert all(o["color"].startswith("#") for o in severity["options"])


def test_a_label_column_is_coloured_only_when_every_value_has_a_colour() -> None:
    # `severity` of a load error is error / warning, not a severity level: plain text.
    errors = pd.DataFrame({"severity": ["error", "warning"]})
    assert labels.column_config(errors, LEVELS)["severity"]["type_config"]["type"] == "text"
    sync = pd.DataFrame({"status": ["ok", "partial"]})
    assert labels.column_config(sync, LEVELS)["status"]["type_config"]["type"] == "text"
    items = pd.DataFrame({"status": ["done", "wont_do", "unknown"]})
    status = labels.column_config(items, LEVELS)["status"]["type_config"]
    assert status["type"] == "multiselect"
    assert {o["value"]: o["label"] for o in status["options"]}["wont_do"] == "won't do"


def test_minutes_become_durations_on_screen_only() -> None:
    frame = incidents([None, None])
    shown = labels.for_display(frame)
    # 65 minutes is shown as a duration ("1 hr, 5 min"); an unstated one stays empty.
    assert shown["time_to_recover_minutes"].iloc[0] == pd.Timedelta(hours=1, minutes=5)
    assert pd.isna(shown["time_to_recover_minutes"].iloc[1])
    assert frame["time_to_recover_minutes"].iloc[0] == 65.0  # the CSV's frame is untouched


def test_unknown_columns_get_their_name_in_words() -> None:
    assert labels.label("documents_with_owner") == "Documents with owner"


def test_a_click_on_a_chart_narrows_the_filters_and_says_so() -> None:
    from datetime import date

    from pages.ui import drill
    from queries.filters import Filters

    sidebar = Filters(start=date(2026, 8, 15), services=("payments", "checkout"))
    clicked = {"period": "2026Q3", "service": "payments", "category": "deployment"}
    narrowed = sidebar.narrowed(clicked)
    # The quarter within the sidebar's dates: from 15 Aug (the sidebar) to 30 Sep (the quarter).
    assert (narrowed.start, narrowed.end) == (date(2026, 8, 15), date(2026, 9, 30))
    assert narrowed.services == ("payments",) and narrowed.categories == ("deployment",)
    assert drill.describe(clicked) == "payments × deployment, 2026Q3"
    # A theme, an item's status and the quarter it was opened in are no sidebar filters:
    # the panel names them in words (the status as the tables write it).
    assert drill.describe({"period": "2026Q2", "theme": "release, canary"}) == (
        "theme “release, canary”, 2026Q2"
    )
    assert drill.describe({"opened": "2026Q2", "status": "in_progress"}) == (
        "in progress action items, opened in 2026Q2"
    )
    assert drill.describe({"opened": "no date", "status": "open"}) == (
        "open action items, opened with no date"
    )
    # The quarter labels of the status chart (2026Q3, 'no date'), from the items' dates.
    days = pd.Series(pd.to_datetime(["2026-09-30", None, "2026-10-01"]))
    assert drill.quarters(days).tolist() == ["2026Q3", "no date", "2026Q4"]
    month = Filters().narrowed({"period": "2026-02", "severity": "SEV1"})
    assert (month.start, month.end, month.severities) == (
        date(2026, 2, 1),
        date(2026, 2, 28),
        ("SEV1",),
    )
