"""WeasyPrint may read only the application's static files and data: addresses; everything else is refused,
counted and logged, never fetched."""

import base64
import logging

import pytest

from reports.builder import render_pdf
from reports.fetcher import BASE_URL, RefusedURL, ReportURLFetcher

STATIC = BASE_URL + "static/"


def test_serves_the_reports_own_static_files_from_disk():
    fetcher = ReportURLFetcher()
    response = fetcher.fetch(STATIC + "reports/report-print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.refused == []


def test_serves_svg_data_addresses():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    fetcher = ReportURLFetcher()
    response = fetcher.fetch("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
    assert response.read() == svg


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/hostname",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/tracker.png",
        "ftp://example.org/file",
        BASE_URL + "admin/",
        STATIC + "../../vawg/settings.py",
        STATIC + "reports/%2e%2e/%2e%2e/manage.py",
        STATIC + "reports/report-print.css?x=1",
        STATIC + "reports/builder.py",
        STATIC + "reports/no-such-file.css",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:application/pdf;base64,JVBERi0=",
        "data:image/svg+xml;base64,not base64!",
    ],
)
def test_refuses_everything_else_and_counts_it(url, caplog):
    fetcher = ReportURLFetcher()
    with caplog.at_level(logging.WARNING, logger="reports.fetcher"), pytest.raises(RefusedURL):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert "refused" in caplog.text


def test_a_rendered_page_pointing_at_server_files_embeds_nothing_and_reports_what_it_refused(caplog):
    html = """<!DOCTYPE html><html lang="en-GB"><head><title>T</title>
    <link rel="attachment" href="file:///etc/hostname">
    <link rel="stylesheet" href="http://example.org/evil.css"></head>
    <body><p>Text</p><img src="file:///etc/passwd" alt="x"><img src="/static/reports/draft-watermark.svg" alt="y">
    </body></html>"""
    with caplog.at_level(logging.WARNING, logger="reports.fetcher"):
        rendered = render_pdf(html)
    assert sorted(rendered.refused) == ["file:///etc/hostname", "file:///etc/passwd", "http://example.org/evil.css"]
    assert b"/EmbeddedFile" not in rendered.content
    assert rendered.page_count == 1
