"""Labels are drawn as plain text on every chart path: a `$` in a user's label is never read as maths.

matplotlib reads text between two `$` as mathtext by default: an option "Between $10_$20" or a borough short
name with `$\\frac{$` failed to parse (a 500 on the page and the chart), and "Under $5 ... Over $10" was drawn
silently as italic maths without its dollars. The shared configuration in vawg.charts turns that off for every
chart, including those drawn in a fresh worker process.
"""

import base64
import json
import re
import subprocess
import sys
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from consultations.models import Consultation, Question
from reports import builder
from reports.models import AnnualReport
from tests.consultations.factories import ConsultationFactory, make_question, set_counts
from tests.referrals.factories import MaracReturnFactory, ReferralCountFactory, ServiceFactory
from tests.reports.data import fill_year
from vawg import charts as base

pytestmark = pytest.mark.django_db

BETWEEN = "Between $10_$20"  # an unbalanced subscript: mathtext refused to parse it
FRACTION = "LB$\\frac{$"  # a borough short name (max 20 characters) that is broken maths
UNDER, OVER = "Under $5", "Over $10"  # two dollars in one text: drawn as maths without them
BOTH = "Under $5 or Over $10 a week"


def svg_texts(svg: str) -> list[str]:
    """Every <text> of the SVG as it reads, tags inside it (tspans) removed."""
    return [unescape(re.sub(r"<[^>]+>", "", inner)) for inner in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]


def all_text(svg: str) -> str:
    return "\n".join(svg_texts(svg))


def page_svgs(page: str) -> list[str]:
    """The charts a page carries as data URIs."""
    return [base64.b64decode(data).decode() for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)]


@pytest.fixture
def dollar_borough(world):
    world.borough.short_name = FRACTION
    world.borough.save()
    return world.borough


# Consultations ------------------------------------------------------------------------------------------------


@pytest.fixture
def consultation(world, dollar_borough):
    consultation = ConsultationFactory(
        partnership=world.partnership, slug="costs", title="Costs between $5 and $10", respondents=60
    )
    choice = make_question(
        consultation, ref="Q1", text="What did it cost?", kind=Question.Kind.SINGLE_CHOICE, options=[BETWEEN, BOTH]
    )
    set_counts(choice, {(None, BETWEEN): 30, (None, BOTH): 12})
    scale = make_question(consultation, ref="Q2", items=[FRACTION, UNDER, OVER])
    set_counts(
        scale,
        {
            (FRACTION, "Very positive"): 10,
            (FRACTION, "Negative"): 4,
            (UNDER, "Positive"): 6,
            (UNDER, "Very negative"): 9,
            (OVER, "Neutral"): 5,
            (OVER, "No experience"): 3,
        },
    )
    return consultation


def url(world, name, *args):
    return reverse(f"consultations:{name}", args=[world.partnership.slug, *args])


def test_consultation_page_draws_dollar_labels_as_text(world, client, consultation):
    client.force_login(world.board_member)
    response = client.get(url(world, "consultation_detail", consultation.slug))
    assert response.status_code == 200
    drawn = "\n".join(all_text(svg) for svg in page_svgs(response.content.decode()))
    for label in (BETWEEN, BOTH, FRACTION, UNDER, OVER):
        assert label in drawn, label


@pytest.mark.parametrize(("ref", "labels"), [("Q1", [BETWEEN, BOTH]), ("Q2", [FRACTION, UNDER, OVER])])
def test_consultation_chart_address_draws_dollar_labels_as_text(world, client, consultation, ref, labels):
    question = consultation.questions.get(ref=ref)
    client.force_login(world.board_member)
    response = client.get(url(world, "question_chart", consultation.slug, question.pk))
    assert response.status_code == 200
    texts = svg_texts(response.content.decode())
    for label in labels:
        assert label in texts, label  # one <text>, word for word: no maths, no dollars dropped
    if ref == "Q1":
        assert f"'{BETWEEN}' was chosen most (71%)" in texts  # the headline title, also drawn as text


def test_side_by_side_chart_draws_dollar_labels_as_text(world, client, consultation):
    ranking = {"kind": Question.Kind.RANKING, "options": [BETWEEN, BOTH], "ranking_places": 2}
    question = make_question(consultation, ref="Q3", comparison_key="cost", **ranking)
    set_counts(question, {(None, BETWEEN, 1): 8, (None, BOTH, 1): 2})
    professionals = ConsultationFactory(
        partnership=world.partnership, audience=Consultation.Audience.PROFESSIONALS, title="Fees $1 to $2"
    )
    twin = make_question(professionals, ref="Q3", comparison_key="cost", **ranking)
    set_counts(twin, {(None, BOTH, 1): 30, (None, BETWEEN, 2): 10})
    client.force_login(world.board_member)
    response = client.get(url(world, "comparison_chart", consultation.slug, question.pk))
    assert response.status_code == 200
    texts = svg_texts(response.content.decode())
    assert BETWEEN in texts and BOTH in texts
    assert "Survivors: Costs between $5 and $10" in texts and "Professionals: Fees $1 to $2" in texts
    page = client.get(url(world, "consultation_detail", consultation.slug))
    assert page.status_code == 200


# Service figures (referrals and MARAC) ------------------------------------------------------------------------


def referrals_url(world, name):
    return reverse(f"referrals:{name}", kwargs={"partnership_slug": world.partnership.slug})


def test_marac_page_and_chart_draw_a_dollar_borough_as_text(world, client, dollar_borough):
    for quarter in (1, 2, 3, 4):
        MaracReturnFactory(borough=dollar_borough, quarter=quarter, cases_discussed=70)
    client.force_login(world.board_member)
    page = client.get(referrals_url(world, "marac") + "?year=2015-16")
    assert page.status_code == 200
    chart = client.get(referrals_url(world, "marac_chart") + "?year=2015-16")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert FRACTION in svg_texts(chart.content.decode())


def test_referrals_chart_draws_a_dollar_abuse_type_as_text(world, client):
    from referrals.models import AbuseType

    own = AbuseType.objects.create(partnership=world.partnership, name=BOTH)
    ReferralCountFactory(
        service=ServiceFactory(partnership=world.partnership), borough=world.borough, abuse_type=own, count=7
    )
    client.force_login(world.board_member)
    chart = client.get(referrals_url(world, "referrals_chart") + "?year=2015-16")
    assert chart.status_code == 200
    assert BOTH in svg_texts(chart.content.decode())


# The annual report's figures ----------------------------------------------------------------------------------


def test_report_figures_draw_dollar_labels_as_text(world, dollar_borough):
    fill_year(world, size=1)
    consultation = ConsultationFactory(
        partnership=world.partnership, period_start=date(2015, 7, 1), period_end=date(2016, 1, 31)
    )
    question = make_question(consultation, ref="Q1", kind=Question.Kind.SINGLE_CHOICE, options=[BETWEEN, BOTH])
    set_counts(question, {(None, BETWEEN): 30, (None, BOTH): 20})
    report = AnnualReport.objects.create(partnership=world.partnership, year=2015)
    context = builder.collect(report, draft=False)
    drawn = "\n".join(all_text(figure.chart.svg) for figure in context.figures)
    for label in (FRACTION, BETWEEN, BOTH):
        assert label in drawn, label
    html = builder.render_html(context, for_pdf=False)
    assert "\n".join(all_text(svg) for svg in page_svgs(html)).count(FRACTION) >= 2  # referrals and MARAC


# The shared configuration, in a fresh process -----------------------------------------------------------------


DRAW = """
import json, sys
from vawg import charts
labels = json.loads(sys.argv[1])
sys.stdout.write(charts.ranked_bars(labels, [1.0] * len(labels), ["1"] * len(labels), title=labels[0]))
"""


def test_a_fresh_worker_process_draws_dollar_labels_as_text():
    """A task worker or a newly started web worker imports the charts module afresh: the setting goes with it."""
    labels = [BETWEEN, FRACTION, BOTH]
    root = Path(__file__).resolve().parent.parent
    drawn = subprocess.run(
        [sys.executable, "-c", DRAW, json.dumps(labels)], cwd=root, capture_output=True, text=True, check=True
    )
    texts = svg_texts(drawn.stdout)
    assert all(label in texts for label in labels)


def test_text_added_outside_the_style_context_is_still_plain():
    """A figure's text set up without the style (rc_context) around it is still drawn as text when saved."""
    figure = base.new_figure(4, 2)
    axes = figure.add_subplot()  # outside rc_context: matplotlib's own defaults apply to these Text objects
    axes.set_title(BOTH)
    axes.text(0.5, 0.5, FRACTION)
    texts = svg_texts(base.figure_to_svg(figure, title="t"))
    assert BOTH in texts and FRACTION in texts
