"""Consultation charts: diverging bars for scales, ranked bars for choices and rankings, side-by-side comparisons.

Through the one chart pipeline: `question_spec` and `comparison_spec` turn results into a `ChartSpec` (a small
JSON-able description of exactly what is drawn: labels, percentages, title, alt text); the renderers below draw
it; `partnership_specs` lists every chart of a partnership's consultations, which the task runner draws and stores
when their results change (`partnership.charts`), so the consultation page only reads them.

Conventions (government analysis function): a headline title, direct labels on the bars, colour never the only
cue (negative answers sit left of the centre line and positive ones right, 'no experience' in its own panel),
and the page follows every chart with its data table (`QuestionResults.table()`).
"""

from __future__ import annotations

from decimal import Decimal

from matplotlib.figure import Figure

from consultations.models import Question
from consultations.results import QuestionResults, format_percent, headline, percent_of
from partnership.models import Partnership
from vawg import charts as base
from vawg import palette
from vawg.charts import Chart, ChartSpec

POSITIVE_STRONG = palette.DARK_BLUE
POSITIVE_MILD = palette.tint(palette.DARK_BLUE, 0.5)
NEUTRAL = palette.LIGHT_GREY
NEGATIVE_MILD = palette.tint(palette.DARK_PINK, 0.45)
NEGATIVE_STRONG = palette.DARK_PINK
APART = palette.tint(palette.DARK_GREY, 0.55)
SIDE_WORDS = {
    Question.Kind.YES_NO: ("yes", "no"),
    Question.Kind.AGREEMENT: ("agree", "disagree"),
    Question.Kind.RATING_SCALE: ("positive", "negative"),
}
MAX_LABEL = 48


def _number(value: Decimal | None) -> float:
    return round(float(value), 2) if value is not None else 0.0


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def valence_colour(valence: int) -> str:
    if valence >= 2:
        return POSITIVE_STRONG
    if valence == 1:
        return POSITIVE_MILD
    if valence == 0:
        return NEUTRAL
    if valence == -1:
        return NEGATIVE_MILD
    return NEGATIVE_STRONG


# Descriptions of charts ----------------------------------------------------------------------------------------


def chart_data(result: QuestionResults) -> dict | None:
    """What the chart of one question draws, or None when there is nothing to draw."""
    if not result.has_counts:
        return None
    kind = result.question.kind
    if kind == Question.Kind.RANKING:
        return _ranking_data(result)
    if kind in Question.SCALE_KINDS:
        return _diverging_data([(row.label, row) for row in result.rows], result)
    if kind in (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE):
        return _choice_data(result)
    return None


def _side_words(result: QuestionResults) -> tuple[str, str]:
    return SIDE_WORDS.get(result.question.kind, ("positive", "negative"))


def _diverging_data(rows: list[tuple[str, object]], result: QuestionResults) -> dict:
    positive_word, negative_word = _side_words(result)
    options = list(result.question.options.all())
    scale = sorted((o for o in options if o.valence is not None), key=lambda o: o.valence)
    apart_labels = [o.label for o in options if o.is_not_applicable]
    drawn_rows = []
    for label, row in rows:
        by_option = {share.option.pk: share for share in row.shares}
        segments = [
            {
                "label": option.label,
                "valence": option.valence,
                "percent": _number(by_option[option.pk].percent) if option.pk in by_option else 0.0,
                "display": by_option[option.pk].percent_display if option.pk in by_option else "0%",
            }
            for option in scale
        ]
        apart = percent_of(row.not_applicable_count, row.answered) if row.answered else None
        drawn_rows.append(
            {
                "label": _short(label),
                "segments": segments,
                "positive": format_percent(row.side_percent(1)),
                "negative": format_percent(row.side_percent(-1)),
                "apart": _number(apart),
                "apart_display": format_percent(apart) if apart_labels else "",
            }
        )
    return {
        "type": "diverging",
        "title": _diverging_title(rows, positive_word, negative_word),
        "alt": headline(result),
        "legend": [{"label": o.label, "valence": o.valence} for o in scale],
        "apart_label": " / ".join(apart_labels),
        "rows": drawn_rows,
        "words": [negative_word, positive_word],
        "base_note": result.base_note,
    }


def _diverging_title(rows: list[tuple[str, object]], positive_word: str, negative_word: str) -> str:
    measured = [(label, row) for label, row in rows if row.base]
    if not measured:
        return "No answers recorded"
    if len(measured) == 1:
        label, row = measured[0]
        prefix = "" if row.item is None else f"{label}: "
        return (
            f"{prefix}{format_percent(row.side_percent(1))} {positive_word}, "
            f"{format_percent(row.side_percent(-1))} {negative_word}"
        )
    best = max(measured, key=lambda pair: pair[1].side_percent(1) or 0)
    worst = max(measured, key=lambda pair: pair[1].side_percent(-1) or 0)
    if best[0] == worst[0]:
        return (
            f"{best[0]} is both the most {positive_word} ({format_percent(best[1].side_percent(1))}) and the most "
            f"{negative_word} ({format_percent(worst[1].side_percent(-1))})"
        )
    return (
        f"Most {positive_word}: {best[0]} ({format_percent(best[1].side_percent(1))}); "
        f"most {negative_word}: {worst[0]} ({format_percent(worst[1].side_percent(-1))})"
    )


def _choice_data(result: QuestionResults) -> dict | None:
    row = result.rows[0] if result.rows else None
    if row is None:
        return None
    shares = sorted(row.shares + row.set_apart, key=lambda s: (-s.count, s.option.position))
    top = shares[0]
    multiple = result.question.kind == Question.Kind.MULTIPLE_CHOICE
    title = f"'{_short(top.label)}' was chosen most ({top.percent_display}" + (
        " of those who answered)" if multiple else ")"
    )
    return {
        "type": "bars",
        "title": title,
        "alt": headline(result),
        "labels": [_short(s.label) for s in shares],
        "values": [_number(s.percent) if s.percent is not None else float(s.count) for s in shares],
        "value_labels": [f"{s.percent_display} ({s.count:,})" for s in shares],
        "axis_label": "Percentage of those who answered" if shares[0].percent is not None else "Number",
    }


def _ranking_data(result: QuestionResults) -> dict | None:
    if not result.ranking:
        return None
    top = result.ranking[0]
    return {
        "type": "bars",
        "title": f"'{_short(top.option.label)}' ranked highest: {top.points:,} points, first for {top.first:,}",
        "alt": headline(result) + " " + result.points_note,
        "labels": [_short(r.option.label) for r in result.ranking],
        "values": [float(r.points) for r in result.ranking],
        "value_labels": [f"{r.points:,} points; first {r.first:,} ({r.first_percent_display})" for r in result.ranking],
        "axis_label": "Points (" + result.points_note.split(".")[0].removeprefix("Points: ") + ")",
    }


def _group_name(result: QuestionResults) -> str:
    consultation = result.question.consultation
    return f"{consultation.get_audience_display()}: {consultation.title}"


def comparison_data(results: list[QuestionResults]) -> dict | None:
    """The same question answered by different groups (e.g. survivors and professionals), side by side."""
    results = [r for r in results if r.has_counts]
    if len(results) < 2:
        return None
    kind = results[0].question.kind
    names = [_group_name(r) for r in results]
    audiences = [r.question.consultation.get_audience_display() for r in results]
    if kind in Question.SCALE_KINDS:
        rows = []
        labels = [row.label for row in results[0].rows]
        for label in labels:
            for result, audience in zip(results, audiences, strict=True):
                row = next((r for r in result.rows if r.label.lower() == label.lower()), None)
                if row is not None:
                    rows.append((f"{label} ({audience})", row))
        data = _diverging_data(rows, results[0])
        data["title"] = "Side by side: " + " and ".join(audiences)
        data["alt"] = " ".join(f"{name}. {headline(r)}" for name, r in zip(names, results, strict=True))
        return data
    panels = []
    if kind == Question.Kind.RANKING:
        order = [r.option.label for r in results[0].ranking]
        for result, name in zip(results, names, strict=True):
            by_label = {r.option.label.lower(): r for r in result.ranking}
            picked = [by_label.get(label.lower()) for label in order]
            panels.append(
                {
                    "title": _short(name),
                    "values": [float(p.points) if p else 0.0 for p in picked],
                    "value_labels": [f"{p.points:,} pts (place {p.place})" if p else "not asked" for p in picked],
                }
            )
        firsts = [
            f"{name} ranked '{r.ranking[0].option.label}' highest" for name, r in zip(names, results, strict=True)
        ]
        axis = "Points"
    else:
        first_row = results[0].rows[0]
        order = [s.label for s in sorted(first_row.shares + first_row.set_apart, key=lambda s: -s.count)]
        for result, name in zip(results, names, strict=True):
            row = result.rows[0]
            by_label = {s.label.lower(): s for s in row.shares + row.set_apart}
            picked = [by_label.get(label.lower()) for label in order]
            panels.append(
                {
                    "title": _short(name),
                    "values": [_number(p.percent) if p else 0.0 for p in picked],
                    "value_labels": [p.percent_display if p else "not asked" for p in picked],
                }
            )
        firsts = [
            f"{name}: most chose '{max(r.rows[0].shares, key=lambda s: s.count).label}'"
            for name, r in zip(names, results, strict=True)
        ]
        axis = "Percentage of those who answered"
    return {
        "type": "panels",
        "title": "Side by side: " + " and ".join(audiences),
        "alt": "; ".join(firsts) + ".",
        "labels": [_short(label) for label in order],
        "panels": panels,
        "axis_label": axis,
    }


# Drawing -------------------------------------------------------------------------------------------------------


KINDS = {"diverging": "consultations.diverging", "panels": "consultations.panels"}


def spec_of(data: dict | None) -> ChartSpec | None:
    """The chart spec of a description made by `chart_data` or `comparison_data`."""
    if not data:
        return None
    kind = KINDS.get(data["type"], "ranked_bars")
    return ChartSpec(kind=kind, title=data["title"], alt=data["alt"], data=data)


@base.renderer("consultations.diverging")
def _diverging(spec: ChartSpec) -> Figure:
    return _draw_diverging(spec.data)


@base.renderer("consultations.panels")
def _panels(spec: ChartSpec) -> Figure:
    return _draw_panels(spec.data)


def _draw_diverging(data: dict) -> Figure:
    rows = data["rows"]
    has_apart = bool(data["apart_label"])
    figure = base.new_figure(8.0, 1.5 + 0.42 * len(rows))
    with base.rc_context(base.RC_PARAMS):
        if has_apart:
            axes, apart_axes = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [5, 1.2]})
        else:
            axes, apart_axes = figure.add_subplot(), None
        positions = list(range(len(rows)))
        extent = 10.0
        handles = {}
        for position, row in zip(positions, rows, strict=True):
            segments = row["segments"]
            neutral = sum(s["percent"] for s in segments if s["valence"] == 0)
            # Centre the neutral answers on zero, then stack outwards: mild answers nearest the centre.
            right, left = neutral / 2, -neutral / 2
            for segment in [s for s in segments if s["valence"] == 0]:
                handles[segment["label"]] = _segment(axes, position, left, segment["percent"], segment)
            for segment in sorted((s for s in segments if s["valence"] > 0), key=lambda s: s["valence"]):
                handles[segment["label"]] = _segment(axes, position, right, segment["percent"], segment)
                right += segment["percent"]
            for segment in sorted((s for s in segments if s["valence"] < 0), key=lambda s: -s["valence"]):
                left -= segment["percent"]
                handles[segment["label"]] = _segment(axes, position, left, segment["percent"], segment)
            extent = max(extent, right, -left)
            axes.text(left - 1.5, position, row["negative"], va="center", ha="right", color=palette.TEXT, fontsize=9)
            axes.text(right + 1.5, position, row["positive"], va="center", ha="left", color=palette.TEXT, fontsize=9)
            if apart_axes is not None:
                apart_axes.barh(position, row["apart"], color=APART, height=0.6)
                apart_axes.text(row["apart"] + 2, position, row["apart_display"], va="center", ha="left", fontsize=9)
        axes.set_xlim(-(extent + 14), extent + 14)
        axes.axvline(0, color=palette.TEXT, linewidth=1, zorder=0.5)  # behind the bars: visible between them
        axes.set_yticks(positions, labels=[row["label"] for row in rows])
        axes.invert_yaxis()
        axes.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            axes.spines[side].set_visible(False)
        negative_word, positive_word = data["words"]
        axes.set_xlabel(f"← {negative_word}   |   {positive_word} →   (% of the base)", color=palette.MID_GREY)
        axes.set_title(data["title"])
        if apart_axes is not None:
            apart_axes.set_xlim(0, max(100.0, 1.0) * 1.0)
            apart_axes.set_xticks([])
            for side in ("top", "right", "bottom"):
                apart_axes.spines[side].set_visible(False)
            apart_axes.tick_params(left=False)
            apart_axes.set_title(
                "\n".join(base.wrap_lines(data["apart_label"], 18)), fontsize=9, fontweight="normal", loc="left"
            )
        legend_order = [entry["label"] for entry in data["legend"] if entry["label"] in handles]
        figure.legend(
            [handles[label] for label in legend_order],
            legend_order,
            loc="outside lower center",
            ncols=min(len(legend_order), 6),
            frameon=False,
            fontsize=9,
        )
    return figure


def _segment(axes, position: int, start: float, width: float, segment: dict):
    colour = valence_colour(segment["valence"])
    bars = axes.barh(position, width, left=start, color=colour, height=0.6, edgecolor=palette.WHITE, linewidth=0.8)
    if width >= 6:
        axes.text(
            start + width / 2,
            position,
            segment["display"],
            va="center",
            ha="center",
            fontsize=8.5,
            color=palette.label_colour_on(colour),
        )
    return bars


def _draw_panels(data: dict) -> Figure:
    labels, panels = data["labels"], data["panels"]
    figure = base.new_figure(9.0, 1.3 + 0.36 * len(labels))
    with base.rc_context(base.RC_PARAMS):
        axes_list = figure.subplots(1, len(panels), sharey=True)
        positions = list(range(len(labels)))
        for index, (axes, panel) in enumerate(zip(axes_list, panels, strict=True)):
            colour = palette.CATEGORICAL[index % len(palette.CATEGORICAL)]
            axes.barh(positions, panel["values"], color=colour, height=0.6)
            top = max(panel["values"], default=0) or 1
            axes.set_xlim(0, top * 1.6)
            for position, value, text in zip(positions, panel["values"], panel["value_labels"], strict=True):
                axes.text(value + top * 0.02, position, text, va="center", ha="left", fontsize=8.5)
            axes.set_title("\n".join(base.wrap_lines(panel["title"], 40)), fontsize=9.5)
            axes.set_xticks([])
            for side in ("top", "right", "bottom"):
                axes.spines[side].set_visible(False)
            if index:
                axes.tick_params(left=False)
        axes_list[0].set_yticks(positions, labels=labels)
        axes_list[0].invert_yaxis()
        figure.suptitle(data["title"], x=0.01, ha="left", fontweight="bold", fontsize=11)
        figure.supxlabel(data["axis_label"], color=palette.MID_GREY, fontsize=9)
    return figure


# Public entry points -------------------------------------------------------------------------------------------


def question_spec(result: QuestionResults) -> ChartSpec | None:
    return spec_of(chart_data(result))


def comparison_spec(results: list[QuestionResults]) -> ChartSpec | None:
    return spec_of(comparison_data(results))


def question_chart(result: QuestionResults) -> Chart | None:
    """The chart of one question, drawn now: for the report builder (itself run by the task runner) and tests."""
    spec = question_spec(result)
    return base.draw(spec) if spec else None


def comparison_chart(results: list[QuestionResults]) -> Chart | None:
    spec = comparison_spec(results)
    return base.draw(spec) if spec else None


def charts_for(
    partnership: Partnership, results: list[QuestionResults], comparisons: dict[int, list[QuestionResults]]
) -> tuple[dict[int, Chart], dict[int, Chart]]:
    """Charts for many questions at once, by question id, in one query: stored drawings (partnership.charts)."""
    from partnership.charts import charts_for as stored_charts

    question_specs = {r.question.pk: question_spec(r) for r in results}
    comparison_specs = {pk: comparison_spec(group) for pk, group in comparisons.items()}
    found = stored_charts(partnership, [*question_specs.values(), *comparison_specs.values()])
    return (
        {pk: found[spec.key] for pk, spec in question_specs.items() if spec is not None},
        {pk: found[spec.key] for pk, spec in comparison_specs.items() if spec is not None},
    )


def partnership_specs(partnership: Partnership) -> list[ChartSpec]:
    """Every chart the partnership's consultation pages show: what the task runner keeps drawn."""
    from consultations.models import Consultation
    from consultations.selectors import consultation_pages

    consultations = list(Consultation.objects.filter(partnership=partnership))
    specs = []
    for page in consultation_pages(partnership, consultations, with_charts=False):
        specs += [question_spec(result) for result in page.results]
        specs += [comparison_spec(group) for group in page.comparisons.values()]
    return [spec for spec in specs if spec is not None]
