"""Counts about people go out suppressed as in the published report; a lead's token may ask for them unsuppressed."""

import csv
import io

from audit.models import AuditEvent
from tests.api.conftest import api_url, bearer, body
from tests.api.factories import token_for


def rows(client, kind: str, query: str = "") -> list[dict]:
    response = client.get(api_url(f"feed_{kind}_json", "tri-borough") + query)
    assert response.status_code == 200, body(response)
    return __import__("json").loads(body(response))


def test_small_counts_are_suppressed_by_default(world, data):
    client = bearer(token_for(world.board_member, world.partnership)[1])
    referrals = {r["quarter"]: r for r in rows(client, "referrals")}
    assert (referrals[1]["count"], referrals[1]["count_display"]) == (None, "<5")
    assert (referrals[2]["count"], referrals[2]["count_display"]) == (30, "30")
    justice = rows(client, "justice")[0]
    assert (justice["value"], justice["value_display"]) == (None, "<5")


def test_the_threshold_is_the_partnerships(world, data):
    world.partnership.suppression_threshold = 40
    world.partnership.save()
    client = bearer(token_for(world.board_member, world.partnership)[1])
    referrals = {r["quarter"]: r for r in rows(client, "referrals")}
    assert referrals[2]["count_display"] == "<40"


def test_a_lead_may_ask_for_unsuppressed_figures_and_it_is_audited(world, data):
    token, secret = token_for(world.lead, world.partnership)
    client = bearer(secret)
    referrals = {r["quarter"]: r for r in rows(client, "referrals", "?suppressed=false")}
    assert (referrals[1]["count"], referrals[1]["count_display"]) == (3, "3")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.API_READ).latest("id")
    assert "unsuppressed" in event.detail
    assert token.prefix in event.detail
    assert client.get(api_url("partnership", "tri-borough") + "?suppressed=false").json()["suppressed"] is False


def test_anyone_else_asking_is_refused_and_it_is_audited(world, data):
    for user in (world.board_member, world.coordinator):
        client = bearer(token_for(user, world.partnership)[1])
        response = client.get(api_url("feed_referrals_csv", "tri-borough") + "?suppressed=false")
        assert response.status_code == 403
        assert b"Only the partnership's strategic leads" in response.content
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_REFUSED, detail__contains="non-lead")
    assert refused.count() == 2


def test_a_hidden_marac_quarter_cannot_be_worked_out_from_the_published_year(world, data):
    """Quarters 60, 3, 40, 50: the year's 153 is published, so hiding the 3 alone gives it away; a second quarter
    is hidden with it."""
    client = bearer(token_for(world.board_member, world.partnership)[1])
    quarters = {r["quarter"]: r["cases_discussed_display"] for r in rows(client, "marac_returns")}
    assert quarters[2] == "<5"
    assert sorted(quarters.values()).count("[c]") == 1
    benchmark = rows(client, "marac_benchmarks")[0]
    assert (benchmark["cases"], benchmark["cases_display"]) == (153, "153")
    shown = [int(v) for v in quarters.values() if v.isdigit()]
    assert benchmark["cases"] - sum(shown) > 4  # what is left is shared by two hidden quarters


def test_unsuppressed_marac_returns_show_every_quarter(world, data):
    client = bearer(token_for(world.lead, world.partnership)[1])
    quarters = {r["quarter"]: r["cases_discussed"] for r in rows(client, "marac_returns", "?suppressed=false")}
    assert quarters == {1: 60, 2: 3, 3: 40, 4: 50}


def test_consultation_percentages_built_on_a_hidden_count_are_hidden(world, data):
    client = bearer(token_for(world.board_member, world.partnership)[1])
    results = {r["answer"]: r for r in rows(client, "consultation_results")}
    assert (results["No"]["count_display"], results["No"]["percent"]) == ("<5", None)
    # The row's total (who answered) is published, so the other count is hidden too.
    assert results["Yes"]["count"] is None
    unsuppressed = bearer(token_for(world.lead, world.partnership)[1])
    results = {r["answer"]: r for r in rows(unsuppressed, "consultation_results", "?suppressed=false")}
    assert (results["No"]["count"], results["No"]["percent"], results["Yes"]["percent"]) == (3, 7.5, 92.5)


def test_csv_feeds_are_flat_with_the_same_columns_and_safe_text(world, data):
    from actions.models import Action

    Action.objects.filter(pk=data.ours["action"].pk).update(text='=HYPERLINK("http://x")')
    client = bearer(token_for(world.board_member, world.partnership)[1])
    response = client.get(api_url("feed_actions_csv", "tri-borough"))
    assert response["Content-Type"].startswith("text/csv")
    reader = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert list(reader[0]) == ["id", "strategy_id", "strategy", "priority", "ref", "text", "intended_impact", "groups"]
    assert reader[0]["text"].startswith("'=")
    referrals = list(
        csv.DictReader(io.StringIO(body(client.get(api_url("feed_referrals_csv", "tri-borough"))).decode("utf-8-sig")))
    )
    assert [(r["count"], r["count_display"]) for r in referrals] == [("", "<5"), ("30", "30")]
