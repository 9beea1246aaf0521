"""The command-line imports share the browser's checks: a preview with --dry-run, all rows or none."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partnership.models import BoroughPopulation
from referrals.models import JusticeFigure, MaracReturn, OutcomeIndicator, ReferralCount
from tests.referrals.factories import MaracReturnFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def call(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


MARAC = "Borough,Year,Quarter,Meetings,Cases discussed,Repeat cases,Children in household,Police referrals\n"


def test_import_marac_dry_run_previews_then_imports(world, tmp_path):
    path = write(tmp_path, "marac.csv", MARAC + "LBHF,2015-16,Q1,3,70,18,91,40\n")
    out, _ = call("import_marac", path, "--partnership", world.partnership.slug, "--dry-run")
    assert "Row     2  New" in out and "1 new, 0 changed and 0 unchanged rows would be imported." in out
    assert not MaracReturn.objects.exists()
    out, _ = call("import_marac", path, "--partnership", world.partnership.slug)
    assert "were imported" in out
    assert MaracReturn.objects.get().cases_discussed == 70


def test_import_marac_reports_every_problem_and_imports_nothing(world, tmp_path):
    path = write(tmp_path, "marac.csv", MARAC + "LBHF,2015-16,Q1,3,70,18,91,40\nLBHF,2015-17,Q7,x,5,9,1,-1\n")
    err = StringIO()
    with pytest.raises(CommandError, match="4 problems found: nothing imported"):
        call_command("import_marac", path, "--partnership", world.partnership.slug, stderr=err, stdout=StringIO())
    messages = err.getvalue()
    for column in ("Year", "Quarter", "Meetings", "Police referrals"):
        assert f"Row 3, column '{column}'" in messages
    assert not MaracReturn.objects.exists()


def test_unknown_partnership_and_unreadable_files_are_refused(world, tmp_path):
    with pytest.raises(CommandError, match="No partnership"):
        call("import_marac", write(tmp_path, "a.csv", MARAC), "--partnership", "nowhere")
    with pytest.raises(CommandError, match="Upload a CSV"):
        call("import_marac", write(tmp_path, "a.txt", MARAC), "--partnership", world.partnership.slug)
    with pytest.raises(CommandError, match="No file"):
        call("import_marac", str(tmp_path / "missing.csv"), "--partnership", world.partnership.slug)


def test_the_other_import_commands(world, tmp_path):
    ServiceFactory(partnership=world.partnership, name="Angelou Partnership")
    slug = world.partnership.slug
    call(
        "import_referrals",
        write(
            tmp_path,
            "r.csv",
            "Service,Borough,Year,Quarter,Abuse type,New or repeat,Count\n"
            "Angelou Partnership,LBHF,2015-16,Q2,Domestic abuse,,200\n",
        ),
        "--partnership",
        slug,
    )
    call(
        "import_population",
        write(tmp_path, "p.csv", "Borough,Year,Population,Females 16+\nLBHF,2016-17,179900,72800\n"),
        "--partnership",
        slug,
    )
    call(
        "import_justice",
        write(tmp_path, "j.csv", "Borough,Year,Measure,Value\nLBHF,2015-16,Charges,282\n"),
        "--partnership",
        slug,
    )
    call(
        "import_indicators",
        write(
            tmp_path,
            "i.csv",
            "Indicator,Unit,Polarity,Year,Borough,Baseline,Target,Achieved\nSD rate,%,Higher is better,2004-05,,21,,\n",
        ),
        "--partnership",
        slug,
    )
    assert ReferralCount.objects.get().count == 200
    assert BoroughPopulation.objects.get(year=2016).females_16_plus == 72800
    assert JusticeFigure.objects.get().value == 282
    assert OutcomeIndicator.objects.get().figures.get().baseline == 21


def test_population_of_zero_is_refused(world, tmp_path):
    path = write(tmp_path, "p.csv", "Borough,Year,Population,Females 16+\nLBHF,2016-17,0,0\n")
    with pytest.raises(CommandError):
        call("import_population", path, "--partnership", world.partnership.slug)
    assert not BoroughPopulation.objects.filter(year=2016).exists()


def test_marac_summary_csv_and_json(world):
    for quarter, cases in zip((1, 2, 3, 4), (70, 68, 68, 66), strict=True):
        MaracReturnFactory(borough=world.borough, quarter=quarter, cases_discussed=cases, repeat_cases=17)
    out, _ = call("marac_summary", "--partnership", world.partnership.slug, "--year", "2015/16")
    lines = out.strip().splitlines()
    assert lines[0].startswith("Borough,Period,Quarters submitted,Cases,Repeat cases,Repeat rate %,Females 16+")
    assert lines[1].startswith("LBHF,2015-16,4,272,68,25.0,72000,37.8,288.0,94,Within the expected range")
    out, _ = call("marac_summary", "--partnership", world.partnership.slug, "--year", "2015-16", "--format", "json")
    record = json.loads(out)[0]
    assert record["Cases"] == 272 and record["Expected cases"] == 288.0 and record["% of expected"] == 94.0
    with pytest.raises(CommandError, match="not a financial year"):
        call("marac_summary", "--partnership", world.partnership.slug, "--year", "2015-17")
