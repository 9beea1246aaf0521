"""manage.py build_annual_report: foreground builds to a file, non-zero exit on failure."""

import pytest
from django.core.management import CommandError, call_command

from reports.models import AnnualReport, ReportEdition
from tests.reports.pdf import pdf_text


def build(world, tmp_path, *extra, name="report.pdf"):
    output = tmp_path / name
    call_command(
        "build_annual_report",
        "--partnership",
        world.partnership.slug,
        "--year",
        "2015-16",
        "--output",
        str(output),
        *extra,
    )
    return output


def test_builds_a_draft_pdf_and_stores_nothing(world, tmp_path):
    output = build(world, tmp_path)
    assert output.read_bytes().startswith(b"%PDF")
    assert "DRAFT: not for publication" in pdf_text(output.read_bytes())[0]
    assert not ReportEdition.objects.exists() and not AnnualReport.objects.exists()


def test_builds_the_html_version(world, tmp_path):
    output = build(world, tmp_path, "--format", "html", name="report.html")
    html = output.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Annual Report 2015-16" in html


def test_publish_stores_a_new_edition_and_writes_it(world, tmp_path):
    AnnualReport.objects.create(partnership=world.partnership, year=2015, foreword="Our year.")
    output = build(world, tmp_path, "--publish", "--user", world.lead.username)
    edition = ReportEdition.objects.get()
    assert (edition.number, edition.published_by, edition.source) == (1, world.lead, "command_line")
    assert output.read_bytes() == edition.pdf.read()
    assert "DRAFT" not in " ".join(pdf_text(output.read_bytes()))
    build(world, tmp_path, "--publish", name="again.pdf")
    assert list(ReportEdition.objects.order_by("number").values_list("number", "published_by_name")) == [
        (1, world.lead.get_full_name()),
        (2, "The command line"),
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--partnership", "nowhere", "--year", "2015-16"], "No partnership"),
        (["--partnership", "tri-borough", "--year", "2015-17"], "not a financial year"),
        (["--partnership", "tri-borough", "--year", "2015-16", "--publish", "--user", "bert"], "not a strategic lead"),
    ],
)
def test_bad_arguments_fail_with_a_message(world, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("build_annual_report", *arguments, "--output", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_a_missing_output_folder_fails(world, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        build(world, tmp_path / "missing")


def test_a_failed_build_fails_the_command(world, tmp_path, monkeypatch):
    from reports import builder

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(builder, "render_pdf", broken)
    with pytest.raises(CommandError, match="could not be built"):
        build(world, tmp_path)
    with pytest.raises(CommandError, match="could not be built"):
        build(world, tmp_path, "--publish")
    assert ReportEdition.objects.get().state == ReportEdition.State.FAILED


def test_the_exit_status_is_not_zero_on_failure(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "build_annual_report",
            "--partnership",
            "nowhere",
            "--year",
            "2015-17",
            "--output",
            str(tmp_path / "x.pdf"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "vawg.settings_test"},
    )
    # The year is checked before the database is touched, so this needs no database.
    assert result.returncode != 0
    assert "not a financial year" in result.stderr
