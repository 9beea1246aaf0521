"""Imports: aggregated results and raw survey responses, in the browser and on the command line; exports."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from consultations import importers
from consultations.models import Question, ResponseCount, ResultsChange
from consultations.selectors import question_results
from partnership.models import PendingUpload
from tests.consultations.factories import POLICE, ConsultationFactory, make_question, set_counts
from vawg.tabular import read_table

HEAD = "Question ref,Question,Type,Item,Response,Count,Rank\n"


def csv_file(text: str, name: str = "results.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def consultation(world):
    return ConsultationFactory(partnership=world.partnership, slug="survivor-survey", respondents=69)


def url(name, consultation):
    return reverse(f"consultations:{name}", args=[consultation.partnership.slug, consultation.slug])


def run_results_import(consultation, text, *, dry_run=False, user=None):
    rows, errors = importers.parse_results_table(read_table(text.encode(), filename="results.csv"))
    if errors:
        return errors
    outcome = importers.import_results(
        consultation=consultation, rows=rows, user=user, source=ResultsChange.Source.RESULTS_IMPORT, dry_run=dry_run
    )
    return outcome.errors


POLICE_ROWS = "".join(
    f"Q1,How would you describe your experience of each service?,Rating scale,Police,{label},{count},\n"
    for label, count in POLICE.items()
)


# Aggregated results --------------------------------------------------------------------------------------------


def test_aggregated_import_creates_the_question_and_reproduces_the_percentages(consultation):
    assert not run_results_import(consultation, HEAD + POLICE_ROWS)
    question = consultation.questions.get(ref="Q1")
    assert question.kind == Question.Kind.RATING_SCALE
    assert [i.label for i in question.items.all()] == ["Police"]
    assert [(o.label, o.valence, o.is_not_applicable) for o in question.options.all()] == [
        ("Very positive", 2, False),
        ("Positive", 1, False),
        ("Neutral", 0, False),
        ("Negative", -1, False),
        ("Very negative", -2, False),
        ("No experience", None, True),
    ]
    [result] = question_results(consultation)
    assert [s.percent_display for s in result.rows[0].shares] == ["19%", "24%", "12%", "22%", "13%", "10%"]


def test_a_ranking_needs_its_rank_column(consultation):
    text = HEAD + "Q3,Rank the 2 biggest barriers,Ranking,,Fear of agencies,10,1\nQ3,,,,Language,4,2\n"
    assert not run_results_import(consultation, text)
    question = consultation.questions.get(ref="Q3")
    assert question.ranking_places == 2
    assert ResponseCount.objects.filter(question=question, rank=1).get().count == 10


def test_the_export_imports_back_unchanged(world, client, consultation):
    run_results_import(consultation, HEAD + POLICE_ROWS)
    client.force_login(world.board_member)
    exported = client.get(url("results_export", consultation)).content.decode("utf-8-sig")
    copy = ConsultationFactory(partnership=world.partnership, respondents=69)
    assert not run_results_import(copy, exported)
    [original] = question_results(consultation)
    [again] = question_results(copy)
    assert original.table() == again.table()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("Q1,Q,Rating scale,Police,Positive,-3,\n", "Row 2, column 'Count': The count -3 is negative"),
        ("Q1,Q,Rating scale,Police,Positive,lots,\n", "Row 2, column 'Count': The count 'lots' is not a number"),
        ("Q1,Q,Rating scale,Police,Positive,2.5,\n", "is not a whole number"),
        ("Q1,Q,Sliding scale,Police,Positive,2,\n", "'Sliding scale' is not a kind of question"),
        ("Q9,,,,Yes,2,\n", "Q9 is not a question of this consultation: give its Question and Type to create it."),
        (
            "Q1,Q,Rating scale,Police,Positive,40,\nQ1,Q,Rating scale,Police,Negative,40,\n",
            "Q1, 'Police': the counts add up to 80, more than the 69 respondents (percentages would exceed 100%).",
        ),
    ],
)
def test_bad_aggregated_rows_are_refused_and_nothing_is_saved(consultation, rows, message):
    errors = run_results_import(consultation, HEAD + rows)
    assert any(message in text for text in errors.messages()), errors.messages()
    assert not consultation.questions.exists()
    assert not ResponseCount.objects.exists()


def test_an_option_that_does_not_belong_to_the_question_is_refused(consultation):
    question = make_question(consultation, items=["Police"])
    set_counts(question, {("Police", "Positive"): 5})
    errors = run_results_import(consultation, HEAD + "Q1,,,Police,Quite good,3,\nQ1,,,Police,Positive,9,\n")
    assert errors.messages() == [
        "Row 2, column 'Response': 'Quite good' is not an answer option of Q1 (its options: Very positive, "
        "Positive, Neutral, Negative, Very negative, No experience)."
    ]
    assert ResponseCount.objects.get().count == 5  # unchanged


def test_one_bad_question_stops_the_whole_file(consultation):
    text = HEAD + POLICE_ROWS + "Q2,Were you believed?,Yes/no,,Yes,80,\n"
    errors = run_results_import(consultation, text)
    assert "Q2: the counts add up to 80, more than the 69 respondents" in " ".join(errors.messages())
    assert not consultation.questions.exists()


def test_missing_columns_are_named(consultation):
    errors = run_results_import(consultation, "Ref,Answer\nQ1,Yes\n")
    assert "Row" not in errors.messages()[0]
    assert "The column 'Count' is missing." in " ".join(errors.messages())


def test_browser_import_previews_then_saves_on_confirm(world, client, consultation):
    client.force_login(world.lead)
    response = client.post(url("results_import", consultation), {"file": csv_file(HEAD + POLICE_ROWS)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "What will be stored" in page and "19% (13)" in page
    assert not consultation.questions.exists()  # the preview saved nothing
    response = client.post(url("results_import_confirm", consultation))
    assert response.status_code == 302
    assert consultation.questions.get().counts.count() == 6
    change = ResultsChange.objects.get()
    assert change.changed_by == world.lead and change.source == ResultsChange.Source.RESULTS_IMPORT


def test_browser_import_shows_every_problem_and_saves_nothing(world, client, consultation):
    client.force_login(world.lead)
    text = HEAD + "Q1,Q,Rating scale,Police,Positive,-1,\nQ1,Q,Rating scale,Police,Negative,x,\n"
    response = client.post(url("results_import", consultation), {"file": csv_file(text)})
    page = response.content.decode()
    assert "The file was not imported: " in page and "Nothing has been changed." in page
    assert "Row 2, column &#x27;Count&#x27;: The count -1 is negative" in page
    assert "Row 3, column &#x27;Count&#x27;: The count &#x27;x&#x27; is not a number" in page
    assert client.post(url("results_import_confirm", consultation)).status_code == 302
    assert not consultation.questions.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(world, client, consultation):
    client.force_login(world.lead)
    upload = SimpleUploadedFile("results.pdf", b"%PDF-1.4", content_type="application/pdf")
    page = client.post(url("results_import", consultation), {"file": upload}).content.decode()
    assert "Upload a CSV (.csv) or Excel (.xlsx) file." in page


def test_command_imports_results(world, consultation, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(HEAD + POLICE_ROWS)
    out = io.StringIO()
    call_command(
        "import_consultation_results",
        str(path),
        partnership=world.partnership.slug,
        consultation=consultation.slug,
        user=world.lead.username,
        stdout=out,
    )
    assert "Imported results of 1 questions" in out.getvalue()
    assert ResultsChange.objects.get().source == ResultsChange.Source.COMMAND_LINE


def test_command_refuses_bad_files_and_non_leads(world, consultation, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text(HEAD + "Q1,Q,Rating scale,Police,Positive,-1,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_consultation_results",
            str(path),
            partnership="tri-borough",
            consultation=consultation.slug,
            stderr=err,
        )
    # Every problem on its own line, as every import command writes them.
    assert "Row 2, column 'Count': The count -1 is negative" in err.getvalue()
    path.write_text(HEAD + POLICE_ROWS)
    with pytest.raises(CommandError, match="not a strategic lead"):
        call_command(
            "import_consultation_results",
            str(path),
            partnership="tri-borough",
            consultation=consultation.slug,
            user=world.board_member.username,
        )
    with pytest.raises(CommandError, match="No consultation 'survivor-survey' in partnership 'elsewhere'"):
        call_command("import_consultation_results", str(path), partnership="elsewhere", consultation=consultation.slug)
    assert not consultation.questions.exists()


# Raw survey responses ------------------------------------------------------------------------------------------


@pytest.fixture
def survey(consultation):
    consultation.respondents = None
    consultation.save()
    make_question(consultation, ref="Q1", text="How was your experience of each service?", items=["Police", "Housing"])
    make_question(
        consultation,
        ref="Q2",
        text="Which services helped you?",
        kind=Question.Kind.MULTIPLE_CHOICE,
        options=["Refuge", "IDVA", "Counselling"],
    )
    make_question(
        consultation,
        ref="Q3",
        text="Rank the two biggest barriers",
        kind=Question.Kind.RANKING,
        options=["Fear of agencies", "Language", "Money"],
        ranking_places=2,
    )
    make_question(consultation, ref="Q4", text="Anything else you want to tell us?", kind=Question.Kind.FREE_TEXT)
    return consultation


def responses_csv(rows: int = 6) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Respondent ID",
            "Q1. How was your experience of each service? [Police]",
            "Q1. How was your experience of each service? [Cops and courts]",
            "Which services helped you?",
            "Q3 Rank the two biggest barriers [Fear of agencies]",
            "Q3 Rank the two biggest barriers [Language]",
            "Anything else you want to tell us?",
        ]
    )
    answers = [
        ["Very positive", "Negative", "Refuge;IDVA", "1", "2", "My worker Sarah was kind"],
        ["Positive", "No experience", "IDVA", "2", "1", "They listened"],
        ["Negative", "Very negative", "Counselling;Refuge", "1", "", "Call me on 07700 900123"],
        ["No experience", "", "", "", "1", ""],
        ["Very positive", "Positive", "IDVA", "1", "2", "Nothing"],
        ["Neutral", "Neutral", "Refuge", "", "", "Slow"],
    ]
    for number in range(rows):
        writer.writerow([f"R{number}", *answers[number % len(answers)]])
    return out.getvalue()


def test_profile_keeps_answer_counts_only_and_drops_free_text():
    profile = importers.profile_responses(read_table(responses_csv().encode(), filename="export.csv"))
    assert profile["respondents"] == 6
    columns = {c["heading"]: c for c in profile["columns"]}
    assert columns["Respondent ID"]["meta"] and columns["Respondent ID"]["values"] == {}
    police = columns["Q1. How was your experience of each service? [Police]"]
    assert police["values"]["verypositive"] == ["Very positive", 2, 2]  # label, count, first row
    free_text = columns["Anything else you want to tell us?"]
    assert free_text["kept"] is False and free_text["values"] == {} and free_text["answered"] == 5
    assert "Sarah" not in str(profile) and "07700" not in str(profile)


def test_mapping_is_proposed_from_headings(survey):
    profile = importers.profile_responses(read_table(responses_csv().encode(), filename="export.csv"))
    questions = list(survey.questions.prefetch_related("options", "items"))
    proposal = importers.propose_mapping(profile, questions)
    by_heading = {c["heading"]: proposal[c["index"]] for c in profile["columns"]}
    q1, q2, q3, q4 = questions
    police = q1.items.get(label="Police")
    assert by_heading["Respondent ID"][0] == "skip"
    assert by_heading["Q1. How was your experience of each service? [Police]"][0] == f"q{q1.pk}-i{police.pk}"
    assert by_heading["Q1. How was your experience of each service? [Cops and courts]"][0] == ""  # no such item
    assert by_heading["Which services helped you?"][0] == f"q{q2.pk}"  # matched by its wording
    fear = q3.options.get(label="Fear of agencies")
    assert by_heading["Q3 Rank the two biggest barriers [Fear of agencies]"][0] == f"q{q3.pk}-o{fear.pk}"
    assert by_heading["Anything else you want to tell us?"][0] == f"q{q4.pk}"


def _mapping(survey, profile, **fixes):
    questions = list(survey.questions.prefetch_related("options", "items"))
    mapping = importers.proposed_mapping_values(profile, questions)
    for heading, value in fixes.items():
        index = next(c["index"] for c in profile["columns"] if c["heading"] == heading)
        mapping[index] = value
    return mapping


def test_a_column_that_cannot_be_mapped_stops_the_import(survey):
    profile = importers.profile_responses(read_table(responses_csv().encode(), filename="export.csv"))
    outcome = importers.import_responses(
        consultation=survey, profile=profile, mapping=_mapping(survey, profile), user=None, dry_run=False
    )
    assert outcome.errors.messages() == [
        "column 'Q1. How was your experience of each service? [Cops and courts]': This column could not be matched "
        "to a question: choose the question it answers, or 'Do not import this column'."
    ]
    assert not ResponseCount.objects.exists()


def test_corrected_mapping_aggregates_the_answers(survey, world):
    profile = importers.profile_responses(read_table(responses_csv(12).encode(), filename="export.csv"))
    q1 = survey.questions.get(ref="Q1")
    housing = q1.items.get(label="Housing")
    mapping = _mapping(
        survey, profile, **{"Q1. How was your experience of each service? [Cops and courts]": f"q{q1.pk}-i{housing.pk}"}
    )
    outcome = importers.import_responses(
        consultation=survey, profile=profile, mapping=mapping, user=world.lead, dry_run=False
    )
    assert outcome.ok and outcome.saved
    survey.refresh_from_db()
    assert survey.respondents == 12
    results = {r.question.ref: r for r in question_results(survey)}
    police = results["Q1"].rows[0]
    assert [(s.label, s.count) for s in police.shares] == [
        ("Very positive", 4),
        ("Positive", 2),
        ("Neutral", 2),
        ("Negative", 2),
        ("Very negative", 0),
        ("No experience", 2),
    ]
    q1.refresh_from_db()
    assert q1.respondents == 12  # everyone answered at least one item
    multiple = results["Q2"]
    assert [(s.label, s.count) for s in multiple.rows[0].shares] == [("Refuge", 6), ("IDVA", 6), ("Counselling", 2)]
    assert multiple.rows[0].base == 10  # two left it empty
    ranking = {r.option.label: (r.first, r.points) for r in results["Q3"].ranking}
    assert ranking == {"Fear of agencies": (6, 14), "Language": (4, 12), "Money": (0, 0)}
    assert any("free-text answers to Q4 are not stored" in note for note in outcome.notes)
    assert ResultsChange.objects.filter(source=ResultsChange.Source.RESPONSES_IMPORT).count() == 3


def test_answers_that_are_not_options_are_reported_with_their_row(survey):
    text = responses_csv().replace("Neutral,Neutral", "Neutral,Meh")
    profile = importers.profile_responses(read_table(text.encode(), filename="export.csv"))
    q1 = survey.questions.get(ref="Q1")
    housing = q1.items.get(label="Housing")
    mapping = _mapping(
        survey, profile, **{"Q1. How was your experience of each service? [Cops and courts]": f"q{q1.pk}-i{housing.pk}"}
    )
    outcome = importers.import_responses(
        consultation=survey, profile=profile, mapping=mapping, user=None, dry_run=False
    )
    assert (
        "Row 7, column 'Q1. How was your experience of each service? [Cops and courts]': 'Meh' is not an answer "
        "option of Q1" in outcome.errors.messages()[0]
    )
    assert not ResponseCount.objects.exists()


def test_more_respondents_than_the_consultation_records_is_refused(survey):
    survey.respondents = 3
    survey.save()
    profile = importers.profile_responses(read_table(responses_csv().encode(), filename="export.csv"))
    outcome = importers.import_responses(
        consultation=survey, profile=profile, mapping=_mapping(survey, profile), user=None, dry_run=False
    )
    assert "The file has 6 respondents, more than the 3 this consultation records" in " ".join(
        outcome.errors.messages()
    )


def test_browser_flow_uploads_corrects_the_mapping_and_imports(world, client, survey):
    client.force_login(world.lead)
    response = client.post(url("responses_import", survey), {"file": csv_file(responses_csv(), "export.csv")})
    assert response.status_code == 302
    pending = PendingUpload.objects.get(user=world.lead, kind=f"consultation-responses:{survey.pk}")
    session_profile = pending.payload["profile"]
    # Free text never reaches what is kept, nor does the file itself; the session holds nothing of it.
    assert "Sarah" not in str(session_profile) and bytes(pending.content) == b""
    assert "Sarah" not in str(dict(client.session)) and "profile" not in str(dict(client.session))
    page = client.get(url("responses_mapping", survey)).content.decode()
    assert "This column could not be matched to a question" in page
    q1 = survey.questions.get(ref="Q1")
    housing = q1.items.get(label="Housing")
    form = {
        f"column-{c['index']}": value
        for c in session_profile["columns"]
        for value in [
            importers.proposed_mapping_values(session_profile, list(survey.questions.all())).get(c["index"], "")
        ]
    }
    form["column-2"] = f"q{q1.pk}-i{housing.pk}"
    response = client.post(url("responses_mapping", survey), {**form, "action": "import"})
    assert response.status_code == 302
    assert not PendingUpload.objects.exists()
    assert ResponseCount.objects.filter(question=q1, item=housing).exists()


def test_command_imports_responses_with_a_mapping_given_by_hand(world, survey, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(responses_csv())
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_consultation_responses",
            str(path),
            partnership="tri-borough",
            consultation=survey.slug,
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "could not be matched to a question" in err.getvalue()
    assert not ResponseCount.objects.exists()
    out = io.StringIO()
    call_command(
        "import_consultation_responses",
        str(path),
        partnership="tri-borough",
        consultation=survey.slug,
        map=["Q1. How was your experience of each service? [Cops and courts]=Q1:Housing"],
        stdout=out,
    )
    assert "Imported 6 responses as counts for 3 questions" in out.getvalue()
    out = io.StringIO()
    call_command(
        "import_consultation_responses",
        str(path),
        partnership="tri-borough",
        consultation=survey.slug,
        skip_column=["Q1. How was your experience of each service? [Cops and courts]"],
        dry_run=True,
        stdout=out,
    )
    assert "Would import" in out.getvalue()


# Exports -------------------------------------------------------------------------------------------------------


def test_results_export_has_the_aggregated_layout_in_csv_and_xlsx(world, client, consultation):
    question = make_question(consultation, text='=HYPERLINK("http://example.org")', items=["Police"])
    set_counts(question, {("Police", label): count for label, count in POLICE.items()})
    client.force_login(world.coordinator)
    response = client.get(url("results_export", consultation))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == importers.EXPORT_HEADINGS
    assert rows[1] == [
        "Q1",
        '\'=HYPERLINK("http://example.org")',
        "Rating scale per item",
        "Police",
        "Very positive",
        "13",
        "",
    ]
    response = client.get(url("results_export", consultation) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))][4:6] == ["Very positive", 13]


def test_results_kept_below_a_title_import_through_the_command(consultation, tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("Survivor survey 2015-16: results by question\n\n" + HEAD + POLICE_ROWS)
    call_command("import_consultation_results", str(path), partnership="tri-borough", consultation=consultation.slug)
    assert consultation.questions.get(ref="Q1").counts.exists()
