"""The read replica: reads go there only inside use_replica(), never inside a transaction, writes never.

A "replica" alias is added for this module, pointing at the test database as a test mirror of the primary
(as the settings do when DATABASE_REPLICA_URL is set), so the router's choices reach a real second connection.
"""

import pytest
from django.core.management import call_command
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from partnership.models import Partnership
from tests.factories import PartnershipFactory
from vawg.db_router import REPLICA, ReplicaRouter, replica_in_use, use_replica

BOTH = ["default", REPLICA]


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    primary = connections["default"].settings_dict
    connections.settings[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": "default"}}
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture(autouse=True)
def router(settings):
    settings.DATABASE_ROUTERS = ["vawg.db_router.ReplicaRouter"]


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_ordinary_reads_use_the_primary():
    PartnershipFactory(slug="tri-borough")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        found = Partnership.objects.get(slug="tri-borough")
    assert found._state.db == "default"
    assert len(on_replica) == 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_use_replica_go_to_the_replica_and_writes_still_to_the_primary():
    PartnershipFactory(slug="tri-borough", short_name="Tri-borough")
    with use_replica():
        assert replica_in_use()
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            found = Partnership.objects.get(slug="tri-borough")
        assert found._state.db == REPLICA and len(on_replica) == 1
        found.short_name = "Renamed"
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            found.save()
        assert found._state.db == "default" and len(on_replica) == 0
    assert not replica_in_use()
    assert Partnership.objects.get(slug="tri-borough").short_name == "Renamed"


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_an_object_read_from_the_replica_follows_to_the_primary_once_outside():
    PartnershipFactory(slug="tri-borough")
    with use_replica():
        found = Partnership.objects.get(slug="tri-borough")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        list(found.boroughs.all())
    assert len(on_replica) == 0


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_inside_a_transaction_stay_on_the_primary_even_in_use_replica():
    with use_replica(), transaction.atomic():
        PartnershipFactory(slug="new")
        assert not replica_in_use()
        # The primary's transaction sees its own uncommitted row; the replica could not.
        assert Partnership.objects.get(slug="new")._state.db == "default"


def test_without_a_replica_use_replica_changes_nothing(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA)
    with use_replica():
        assert not replica_in_use()
        assert ReplicaRouter().db_for_read(Partnership) == "default"


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "partnership") is True
    assert router.allow_migrate(REPLICA, "partnership") is False
    assert router.db_for_write(Partnership) == "default"


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_draft_report_written_to_a_file_reads_from_the_replica(tmp_path):
    PartnershipFactory(slug="tri-borough")
    output = tmp_path / "draft.html"
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        call_command(
            "build_annual_report",
            "--partnership",
            "tri-borough",
            "--year",
            "2015-16",
            "--output",
            output,
            "--format",
            "html",
        )
    assert output.read_bytes().startswith(b"<!DOCTYPE html>")
    assert len(on_replica) > 0
