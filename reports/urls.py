# READ CONTRIBUTING.md at the repository root before editing: rules for the shared working tree (own paths only,
# commit with `git add <your paths>`, shared helpers, permission-rule format, demo loader, browser fixtures).
from django.urls import path, register_converter

from reports import editor, views
from vawg.periods import FinancialYear


class ReportYearConverter:
    """A financial year in the address as people write it (2015-16), given to views as its start year."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> int:
        return FinancialYear.parse(value).start  # a PeriodError (ValueError) makes the address not match: 404

    def to_url(self, value) -> str:
        return str(FinancialYear(int(value))) if not isinstance(value, FinancialYear) else str(value)


register_converter(ReportYearConverter, "report_year")

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("updates/", views.updates, name="updates"),
    path("updates/new/", views.update_new, name="update_new"),
    path("updates/<int:update_id>/", views.update_detail, name="update_detail"),
    path("updates/<int:update_id>/edit/", views.update_edit, name="update_edit"),
    path("updates/<int:update_id>/preview/", views.update_preview, name="update_preview"),
    path("updates/<int:update_id>/build/", views.update_build, name="update_build"),
    path(
        "updates/<int:update_id>/editions/<int:edition_id>/update.pdf",
        views.update_edition_pdf,
        name="update_edition_pdf",
    ),
    path(
        "updates/<int:update_id>/editions/<int:edition_id>/update.html",
        views.update_edition_html,
        name="update_edition_html",
    ),
    path("new/", views.new, name="new"),
    path("<report_year:year>/", views.detail, name="detail"),
    path("<report_year:year>/narrative/", views.narrative_edit, name="narrative"),
    path("<report_year:year>/sections/", editor.sections, name="sections"),
    path("<report_year:year>/sections/<int:section_id>/", editor.section, name="section"),
    path("<report_year:year>/sections/<int:section_id>/move/", editor.section_move, name="section_move"),
    path("<report_year:year>/sections/<int:section_id>/delete/", editor.section_delete, name="section_delete"),
    path("<report_year:year>/blocks/<int:block_id>/", editor.block, name="block"),
    path("<report_year:year>/blocks/<int:block_id>/delete/", editor.block_delete, name="block_delete"),
    path("<report_year:year>/blocks/<int:block_id>/move/", editor.block_move, name="block_move"),
    path("<report_year:year>/blocks/<int:block_id>/draft/", editor.block_draft, name="block_draft"),
    path("<report_year:year>/forward-plan/", editor.forward_items, name="forward_items"),
    path("<report_year:year>/forward-plan/<int:item_id>/", editor.forward_item, name="forward_item"),
    path(
        "<report_year:year>/forward-plan/<int:item_id>/delete/", editor.forward_item_delete, name="forward_item_delete"
    ),
    path("<report_year:year>/build/", views.build, name="build"),
    path("<report_year:year>/publish/", views.publish, name="publish"),
    path("<report_year:year>/editions/<int:edition_id>/", views.edition, name="edition"),
    path("<report_year:year>/editions/<int:edition_id>/status.json", views.edition_status, name="edition_status"),
    path("<report_year:year>/editions/<int:edition_id>/report.pdf", views.edition_pdf, name="edition_pdf"),
    path("<report_year:year>/editions/<int:edition_id>/report.html", views.edition_html, name="edition_html"),
    path("<report_year:year>/editions/<int:edition_id>/report.docx", views.edition_docx, name="edition_docx"),
    path("<report_year:year>/editions/<int:edition_id>/delete/", views.edition_delete, name="edition_delete"),
]
