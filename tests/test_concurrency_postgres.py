"""Concurrent saves on PostgreSQL, with real separate connections: a stale save is refused, never lost.

Each scenario is forced step by step (tests/interleaving.py): a thread is stopped at a chosen SQL statement with
its transaction open, and the test waits until PostgreSQL reports the other thread waiting for its lock.
Covered: progress updates, RAG ratings, MARAC returns and report narratives edited by two people at once, in
the services and through the pages; and the MARAC and action-plan imports running while someone edits.
"""

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from actions import services as action_services
from actions.models import ProgressUpdate, RagRating, RagRatingChange
from actions.plan_file import check_and_apply
from partnership.models import Membership, PendingUpload
from referrals import services as referral_services
from referrals.models import MaracReturn
from referrals.resources import IMPORTERS
from reports import services as report_services
from reports.models import AnnualReport
from tests.actions.factories import ActionFactory, PriorityFactory, StrategyFactory, UpdateRoundFactory
from tests.interleaving import Pause, Workers, wait_until_blocked
from tests.referrals.factories import MaracReturnFactory
from tests.reports.factories import AnnualReportFactory
from vawg.concurrency import EditConflict
from vawg.periods import Quarter
from vawg.tabular import read_table

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL (CI runs it): row locks and concurrent connections are what is being tested.",
    ),
]

FIRST_WRITE = r"^(INSERT|UPDATE|DELETE) "


def claim(model) -> str:
    """save_if_current's conditional UPDATE: the statement that claims the row."""
    return rf'^UPDATE "{model._meta.db_table}" SET "version" = '


def insert(model) -> str:
    return rf'^INSERT INTO "{model._meta.db_table}"'


@pytest.fixture
def workers(db):
    running = Workers()
    yield running
    running.stop_all()  # before the database is flushed: no thread may still hold a connection


def membership(world, user) -> Membership:
    return Membership.objects.get(user=user, partnership=world.partnership)


def build_plan(world):
    """Action 1.1, answered by CHOG (the coordinator's group) and HOG; 2016-17 Q1 open for updates."""
    strategy = StrategyFactory(partnership=world.partnership, slug="2015-18", first_year=2015, last_year=2017)
    priority = PriorityFactory(strategy=strategy, number=1, title="Access")
    action = ActionFactory(
        priority=priority, ref="1.1", text="Improve awareness", groups=[world.group, world.other_group]
    )
    update_round = UpdateRoundFactory(strategy=strategy, year=2016, quarter=1)
    return SimpleNamespace(strategy=strategy, action=action, update_round=update_round, period=Quarter(2016, 1))


# --- The four kinds of record edited by two people ----------------------------------------------------------


class ProgressUpdateKind:
    model = ProgressUpdate
    values = ("The lead's wording", "The coordinator's wording")

    def __init__(self, world, plan=None):
        self.world, self.plan = world, plan or build_plan(world)

    def create(self):
        self.save(0, "The original wording", user=self.world.coordinator)

    def save(self, version, value, *, user=None):
        return action_services.progress_update_save(
            action=self.plan.action,
            group=self.world.group,
            period=self.plan.period,
            successes_and_challenges=value,
            next_steps="Reprint the directory.",
            submit=False,
            expected_version=version,
            membership=membership(self.world, user or self.world.lead),
        )

    def stored(self):
        update = ProgressUpdate.objects.filter(action=self.plan.action, group=self.world.group).first()
        return (update.successes_and_challenges, update.version) if update else None

    def path(self):
        plan, world = self.plan, self.world
        return reverse(
            "actions:update_edit", args=[world.partnership.slug, plan.update_round.pk, plan.action.pk, world.group.pk]
        )

    def post(self, client, version, value):
        client.force_login(self.world.coordinator)
        data = {"version": version, "successes_and_challenges": value, "next_steps": "", "impact": ""}
        return client.post(self.path(), {**data, "proposed_rating": "green", "submit": "draft"})


class RagRatingKind:
    model = RagRating
    values = ("amber", "red")

    def __init__(self, world, plan=None):
        self.world, self.plan = world, plan or build_plan(world)

    def create(self):
        self.save(0, "green")

    def save(self, version, value, *, user=None):
        return action_services.rag_rating_set(
            action=self.plan.action,
            period=self.plan.period,
            rating=value,
            reason=f"Why it is {value}",
            expected_version=version,
            user=user or self.world.lead,
        )

    def stored(self):
        rating = RagRating.objects.filter(action=self.plan.action).first()
        return (rating.rating, rating.version) if rating else None

    def post(self, client, version, value):
        client.force_login(self.world.lead)
        path = reverse("actions:action_rate", args=[self.world.partnership.slug, self.plan.action.pk])
        data = {"year": 2016, "quarter": 1, "version": version, "rating": value, "reason": f"Why it is {value}"}
        return client.post(path, {**data, "forecast": ""})


class MaracReturnKind:
    model = MaracReturn
    values = (61, 62)

    def __init__(self, world):
        self.world = world

    def create(self):
        MaracReturnFactory(borough=self.world.borough, year=2015, quarter=1, cases_discussed=60, version=1)

    def save(self, version, value, *, user=None):
        counts = {"meetings": 3, "cases_discussed": value, "repeat_cases": 15, "children_in_household": 80}
        return referral_services.marac_return_save(
            borough=self.world.borough,
            quarter=Quarter(2015, 1),
            submitted=True,
            counts=counts,
            user=user or self.world.lead,
            expected_version=version,
        )

    def stored(self):
        marac_return = MaracReturn.objects.filter(borough=self.world.borough, year=2015, quarter=1).first()
        return (marac_return.cases_discussed, marac_return.version) if marac_return else None

    def path(self):
        slug, borough = self.world.partnership.slug, self.world.borough.pk
        return reverse("referrals:marac_edit", args=[slug, borough, 2015, 1])

    def post(self, client, version, value):
        client.force_login(self.world.lead)
        counts = {"meetings": 3, "cases_discussed": value, "repeat_cases": 15, "children_in_household": 80}
        return client.post(self.path(), {"version": version, **counts})


class NarrativeKind:
    model = AnnualReport
    values = ("The lead's foreword", "The officer's foreword")
    narrative = {
        "prepared_by": "the Lead",
        "cover_date": "",
        "introduction": "I",
        "methodology": "M",
        "contact_details": "C",
    }

    def __init__(self, world):
        self.world = world

    def create(self):
        AnnualReportFactory(partnership=self.world.partnership, year=2015, foreword="The original foreword")

    def save(self, version, value, *, user=None):
        return report_services.report_narrative_update(
            report=AnnualReport.objects.get(partnership=self.world.partnership, year=2015),
            user=user or self.world.lead,
            expected_version=version,
            foreword=value,
            **self.narrative,
        )

    def stored(self):
        report = AnnualReport.objects.get(partnership=self.world.partnership, year=2015)
        return report.foreword, report.version

    def post(self, client, version, value):
        client.force_login(self.world.lead)
        path = reverse("reports:narrative", kwargs={"partnership_slug": self.world.partnership.slug, "year": 2015})
        return client.post(path, {**self.narrative, "foreword": value, "version": version})


KINDS = {
    "progress update": ProgressUpdateKind,
    "RAG rating": RagRatingKind,
    "MARAC return": MaracReturnKind,
    "report narrative": NarrativeKind,
}
CREATED_BY_EDITORS = ["progress update", "RAG rating", "MARAC return"]


@pytest.mark.parametrize("name", KINDS)
def test_a_save_from_the_version_someone_else_saved_over_is_refused(world, workers, name):
    kind = KINDS[name](world)
    kind.create()
    _, version = kind.stored()  # both editors open the form at this version
    a_value, b_value = kind.values
    workers.start(lambda: kind.save(version, a_value), name="A").outcome()
    b = workers.start(lambda: kind.save(version, b_value), name="B")
    with pytest.raises(EditConflict):
        b.outcome()
    assert kind.stored() == (a_value, version + 1)


@pytest.mark.parametrize("name", KINDS)
def test_a_save_made_while_another_is_uncommitted_waits_then_is_refused(world, workers, name):
    kind = KINDS[name](world)
    kind.create()
    original, version = kind.stored()
    a_value, b_value = kind.values
    a = workers.start(lambda: kind.save(version, a_value), name="A", pause=Pause(claim(kind.model))).paused()
    b = workers.start(lambda: kind.save(version, b_value), name="B")
    wait_until_blocked(b, by=a)  # B cannot decide while A's claim is undecided
    assert kind.stored() == (original, version)
    a.pause.release()
    a.outcome()
    with pytest.raises(EditConflict):
        b.outcome()
    assert kind.stored() == (a_value, version + 1)


@pytest.mark.parametrize("name", CREATED_BY_EDITORS)
def test_two_first_saves_at_once_the_second_waits_then_is_refused(world, workers, name):
    kind = KINDS[name](world)
    a_value, b_value = kind.values
    a = workers.start(lambda: kind.save(0, a_value), name="A", pause=Pause(insert(kind.model))).paused()
    b = workers.start(lambda: kind.save(0, b_value), name="B")
    wait_until_blocked(b, by=a)  # on the unique index: B's row would be a second one for the same quarter
    a.pause.release()
    a.outcome()
    with pytest.raises(EditConflict):
        b.outcome()
    assert kind.stored() == (a_value, 1)
    assert kind.model.objects.count() == 1


@pytest.mark.parametrize("name", KINDS)
def test_a_page_saved_while_another_save_is_uncommitted_shows_the_error_summary(world, workers, client, name):
    kind = KINDS[name](world)
    kind.create()
    original, version = kind.stored()
    a_value, b_value = kind.values
    a = workers.start(lambda: kind.save(version, a_value), name="A", pause=Pause(claim(kind.model))).paused()
    b = workers.start(lambda: kind.post(client, version, b_value), name="B's browser")
    wait_until_blocked(b, by=a)
    a.pause.release()
    a.outcome()
    response = b.outcome()
    assert response.status_code == 409  # one answer to a refused save, on every page
    page = response.content.decode()
    assert "govuk-error-summary" in page and "<title>Error:" in page
    # The other person's value beside the one this person entered, both on the page, in the one comparison table.
    assert 'id="edit-conflict"' in page and "Yours, not saved" in page
    assert escape(str(a_value)) in page and escape(str(b_value)) in page
    assert kind.stored() == (a_value, version + 1)


def test_a_build_asked_for_while_the_narrative_is_being_saved_waits_then_is_refused(world, workers):
    kind = NarrativeKind(world)
    kind.create()
    _, version = kind.stored()
    a = workers.start(lambda: kind.save(version, "New words"), name="editor", pause=Pause(claim(AnnualReport))).paused()

    def build():
        report = AnnualReport.objects.get(partnership=world.partnership, year=2015)
        return report_services.edition_request(report=report, user=world.lead, publish=True, expected_version=version)

    b = workers.start(build, name="publisher")
    wait_until_blocked(b, by=a)
    a.pause.release()
    a.outcome()
    with pytest.raises(EditConflict):  # publishing words they have not read is refused
        b.outcome()
    assert not world.partnership.annual_reports.get().editions.exists()


# --- The MARAC import while someone edits ---------------------------------------------------------------------

MARAC_HEADINGS = ["Borough", "Year", "Quarter", "Meetings", "Cases discussed", "Repeat cases", "Children in household"]


def _csv(headings, rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headings, *rows])
    return buffer.getvalue().encode()


def marac_csv(cases: int) -> bytes:
    return _csv(MARAC_HEADINGS, [["LBHF", "2015-16", "Q1", 3, cases, 15, 80]])


def marac_import(world, data: bytes, *, dry_run=False, previewed=None):
    """Run the importer as the command and the import page do (`dry_run`: the page's preview)."""
    table = read_table(data, filename="marac.csv")
    extra = {"previewed": previewed} if previewed is not None else {}
    return IMPORTERS["marac"](world.partnership).run(table, dry_run=dry_run, filename="marac.csv", **extra)


def test_a_marac_form_opened_before_an_import_changed_the_return_is_refused(world, workers, client, tmp_path):
    kind = MaracReturnKind(world)
    kind.create()
    client.force_login(world.lead)
    form = client.get(kind.path()).context["form"]
    opened_at = form.initial["version"]
    path = tmp_path / "marac.csv"
    path.write_bytes(marac_csv(70))
    command = workers.start(
        lambda: call_command("import_marac", str(path), "--partnership", world.partnership.slug, stdout=io.StringIO()),
        name="import_marac",
    )
    command.outcome()
    assert kind.stored() == (70, opened_at + 1)
    response = kind.post(client, opened_at, 61)
    assert response.status_code == 409
    page = response.content.decode()
    assert "govuk-error-summary" in page and "saved this MARAC return while you were editing it" in page
    assert kind.stored() == (70, opened_at + 1)


def test_a_marac_save_while_an_import_has_written_waits_then_is_refused(world, workers):
    kind = MaracReturnKind(world)
    kind.create()
    importing = workers.start(lambda: marac_import(world, marac_csv(70)), name="import", pause=Pause(FIRST_WRITE))
    importing.paused()
    editor = workers.start(lambda: kind.save(1, 61), name="editor")
    wait_until_blocked(editor, by=importing)
    importing.pause.release()
    assert importing.outcome().ok
    with pytest.raises(EditConflict):
        editor.outcome()
    assert kind.stored() == (70, 2)


def test_a_marac_save_while_an_import_is_reading_waits_then_is_refused(world, workers):
    kind = MaracReturnKind(world)
    kind.create()
    # Stopped after comparing the file with the stored return, before writing the difference.
    pause = Pause(FIRST_WRITE, before=True)
    importing = workers.start(lambda: marac_import(world, marac_csv(70)), name="import", pause=pause).paused()
    editor = workers.start(lambda: kind.save(1, 61), name="editor")
    wait_until_blocked(editor, by=importing)  # else the import would write over a save it never saw
    importing.pause.release()
    assert importing.outcome().ok
    with pytest.raises(EditConflict):
        editor.outcome()
    assert kind.stored() == (70, 2)


def marac_upload(client, world, data: bytes):
    path = reverse("referrals:import", kwargs={"partnership_slug": world.partnership.slug, "kind": "marac"})
    return client.post(path, {"file": SimpleUploadedFile("marac.csv", data, content_type="text/csv")})


def marac_confirm(client, world, pending):
    path = reverse("referrals:import", kwargs={"partnership_slug": world.partnership.slug, "kind": "marac"})
    return client.post(path, {"confirm": pending.pk})


def test_a_marac_import_confirmed_after_someone_saved_since_its_preview_is_refused(world, workers, client):
    kind = MaracReturnKind(world)
    kind.create()
    client.force_login(world.lead)
    preview = marac_upload(client, world, marac_csv(70))
    assert "0 new, 1 changed and 0 unchanged rows would be imported." in preview.content.decode()
    workers.start(lambda: kind.save(1, 61, user=world.coordinator), name="editor").outcome()

    response = marac_confirm(client, world, preview.context["pending"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Nothing was imported" in page
    assert "LBHF in 2015-16 Q1 has changed since this file was previewed" in page
    assert kind.stored() == (61, 2)  # the editor's figures stay

    # Previewed again, against the return as it is now, the file imports.
    again = marac_upload(client, world, marac_csv(70))
    assert marac_confirm(client, world, again.context["pending"]).status_code == 302
    assert kind.stored() == (70, 3)


def test_a_marac_import_confirmed_while_a_save_is_uncommitted_waits_then_is_refused(world, workers):
    kind = MaracReturnKind(world)
    kind.create()
    preview = marac_import(world, marac_csv(70), dry_run=True)
    editor = workers.start(lambda: kind.save(1, 61), name="editor", pause=Pause(claim(MaracReturn))).paused()
    importing = workers.start(
        lambda: marac_import(world, marac_csv(70), previewed=preview.preview_state), name="confirmation"
    )
    wait_until_blocked(importing, by=editor)
    editor.pause.release()
    editor.outcome()
    result = importing.outcome()
    assert not result.ok
    assert "has changed since this file was previewed" in result.errors.messages()[0]
    assert kind.stored() == (61, 2)


def test_a_new_marac_return_saved_while_an_import_creates_it_waits_then_is_refused(world, workers):
    kind = MaracReturnKind(world)
    importing = workers.start(lambda: marac_import(world, marac_csv(70)), name="import", pause=Pause(FIRST_WRITE))
    importing.paused()
    editor = workers.start(lambda: kind.save(0, 61), name="editor")
    wait_until_blocked(editor, by=importing)
    importing.pause.release()
    assert importing.outcome().ok
    with pytest.raises(EditConflict, match="saved this MARAC return while you were editing it"):
        editor.outcome()
    assert kind.stored() == (70, 1)


def test_an_import_creating_a_return_someone_is_saving_waits_then_is_refused(world, workers):
    kind = MaracReturnKind(world)
    editor = workers.start(lambda: kind.save(0, 61), name="editor", pause=Pause(insert(MaracReturn))).paused()
    importing = workers.start(lambda: marac_import(world, marac_csv(70)), name="import")
    wait_until_blocked(importing, by=editor)
    editor.pause.release()
    editor.outcome()
    result = importing.outcome()
    assert not result.ok and "while it was being imported" in result.errors.messages()[0]
    assert kind.stored() == (61, 1)


# --- The action-plan import while someone edits ---------------------------------------------------------------

PLAN_HEADINGS = ["Priority", "Ref", "Action", "Group", "Progress", "RAG", "Next steps"]
PLAN_FILE = _csv(PLAN_HEADINGS, [["1", "1.1", "Improve awareness", "CHOG", "From the file", "Red", "More"]])


def plan_import(world, plan, *, dry_run=False, previewed=None):
    return check_and_apply(
        strategy=plan.strategy,
        period=plan.period,
        file=PLAN_FILE,
        filename="plan.csv",
        user=world.lead,
        dry_run=dry_run,
        **({"previewed": previewed} if previewed is not None else {}),
    )


@pytest.fixture
def edited_plan(world):
    """Action 1.1 with CHOG's draft update (version 1) and a Green rating (version 1) for 2016-17 Q1."""
    update = ProgressUpdateKind(world)
    rating = RagRatingKind(world, update.plan)
    update.create()
    rating.create()
    return SimpleNamespace(plan=update.plan, update=update, rating=rating)


def test_an_update_form_opened_before_an_import_changed_the_update_is_refused(
    world, workers, client, edited_plan, tmp_path
):
    client.force_login(world.coordinator)
    opened_at = client.get(edited_plan.update.path()).context["form"].initial["version"]
    path = tmp_path / "plan.csv"
    path.write_bytes(PLAN_FILE)
    args = ["import_action_plan", str(path), "--partnership", world.partnership.slug, "--year", "2016-17"]
    workers.start(lambda: call_command(*args, "--quarter", "Q1", stdout=io.StringIO()), name="command").outcome()
    assert edited_plan.update.stored() == ("From the file", opened_at + 1)
    response = edited_plan.update.post(client, opened_at, "The coordinator's wording")
    assert response.status_code == 409
    assert "govuk-error-summary" in response.content.decode()
    assert edited_plan.update.stored() == ("From the file", opened_at + 1)


def test_saves_while_a_plan_import_has_written_wait_then_are_refused(world, workers, edited_plan):
    importing = workers.start(lambda: plan_import(world, edited_plan.plan), name="import", pause=Pause(FIRST_WRITE))
    importing.paused()
    update = workers.start(lambda: edited_plan.update.save(1, "Mine", user=world.coordinator), name="coordinator")
    wait_until_blocked(update, by=importing)
    importing.pause.release()
    assert importing.outcome().ok
    with pytest.raises(EditConflict):
        update.outcome()
    assert edited_plan.update.stored() == ("From the file", 2)


def test_saves_while_a_plan_import_is_reading_wait_then_are_refused(world, workers, edited_plan):
    pause = Pause(FIRST_WRITE, before=True)
    importing = workers.start(lambda: plan_import(world, edited_plan.plan), name="import", pause=pause).paused()
    update = workers.start(lambda: edited_plan.update.save(1, "Mine", user=world.coordinator), name="coordinator")
    wait_until_blocked(update, by=importing)
    rating = workers.start(lambda: edited_plan.rating.save(1, "amber"), name="lead")
    wait_until_blocked(rating, by=importing)
    importing.pause.release()
    assert importing.outcome().ok
    for editor in (update, rating):
        with pytest.raises(EditConflict):
            editor.outcome()
    assert edited_plan.update.stored() == ("From the file", 2)
    assert edited_plan.rating.stored() == ("red", 2)
    assert list(RagRatingChange.objects.order_by("version").values_list("new", "version")) == [
        ("green", 1),
        ("red", 2),
    ]


def test_a_rating_saved_while_a_plan_import_starts_neither_deadlocks_nor_is_lost(world, workers, edited_plan):
    rating = workers.start(
        lambda: edited_plan.rating.save(1, "amber"), name="lead", pause=Pause(claim(RagRating))
    ).paused()
    importing = workers.start(lambda: plan_import(world, edited_plan.plan), name="import")
    wait_until_blocked(importing, by=rating)  # the import reads the rating only once the lead's save is decided
    rating.pause.release()
    rating.outcome()
    report = importing.outcome()
    assert report.ratings_set == [("1.1", "Amber", "Red")]  # it saw the lead's rating, and says it replaced it
    assert edited_plan.rating.stored() == ("red", 3)
    assert list(RagRatingChange.objects.order_by("version").values_list("new", "version", "source")) == [
        ("green", 1, "browser"),
        ("amber", 2, "browser"),
        ("red", 3, "import"),
    ]


def test_a_plan_import_confirmed_after_someone_saved_since_its_preview_is_refused(world, workers, client, edited_plan):
    client.force_login(world.lead)
    path = reverse("actions:plan_import", args=[world.partnership.slug])
    data = {"file": SimpleUploadedFile("plan.csv", PLAN_FILE), "year": "2016-17", "quarter": "1"}
    assert client.post(path, data).status_code == 200
    batch = PendingUpload.objects.get()
    workers.start(lambda: edited_plan.update.save(1, "Mine", user=world.coordinator), name="coordinator").outcome()

    confirm = reverse("actions:plan_import_confirm", args=[world.partnership.slug, batch.pk])
    response = client.post(confirm)
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "changed since this file was previewed" in page
    assert edited_plan.update.stored() == ("Mine", 2)
    assert edited_plan.rating.stored() == ("green", 1)  # all or nothing: the unchanged rating is not imported either


def test_a_plan_import_confirmed_while_a_save_is_uncommitted_waits_then_is_refused(world, workers, edited_plan):
    preview = plan_import(world, edited_plan.plan, dry_run=True)
    update = workers.start(
        lambda: edited_plan.update.save(1, "Mine", user=world.coordinator),
        name="coordinator",
        pause=Pause(claim(ProgressUpdate)),
    ).paused()
    importing = workers.start(
        lambda: plan_import(world, edited_plan.plan, previewed=preview.preview_state), name="confirmation"
    )
    wait_until_blocked(importing, by=update)
    update.pause.release()
    update.outcome()
    report = importing.outcome()
    assert not report.ok and "changed since this file was previewed" in report.errors.messages()[0]
    assert edited_plan.update.stored() == ("Mine", 2)
