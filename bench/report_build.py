"""Benchmark of the annual report build (issue 6). Run: .venv/bin/python bench/report_build.py

Prints, measured side by side in one run on the demo partnership's 2015-16 report:
1. the full build (figures from every app, charts, both HTML renderings, PDF) against WeasyPrint alone laying out
   the same final HTML with the same options (target: within 1.10x);
2. the full build of a plan of 86 actions against the 43 of the demo (target: within 2.3x);
3. the peak memory of a build, in a fresh process (target: under 300 MB for a 60-page report);
4. downloading a stored edition against a trivial view behind the same access layer (target: within 3x).

Uses a throw-away SQLite database (or DATABASE_URL when set) and a temporary media folder.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = 5


def setup_django(database: str, media: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg.settings_test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()


def prepare_database() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def double_the_plan() -> int:
    """Add a copy of each of the demo's 43 actions (groups, ratings and updates too): 86 actions."""
    from actions.models import Action, ActionGroup, ProgressUpdate, RagRating, Strategy, ref_sort_key

    strategy = Strategy.objects.get(partnership__slug="tri-borough", first_year=2015)
    originals = list(Action.objects.filter(strategy=strategy).prefetch_related("responsibilities"))
    copies = {}
    for action in originals:
        ref = f"{action.ref} (copy)"
        copies[action.pk] = Action.objects.create(
            strategy=strategy, priority_id=action.priority_id, ref=ref, sort_key=ref_sort_key(ref), text=action.text
        )
    ActionGroup.objects.bulk_create(
        [ActionGroup(action=copies[a.pk], group_id=r.group_id) for a in originals for r in a.responsibilities.all()]
    )
    ratings = list(RagRating.objects.filter(action__in=originals))
    for rating in ratings:
        rating.pk, rating.action = None, copies[rating.action_id]
    RagRating.objects.bulk_create(ratings)
    updates = list(ProgressUpdate.objects.filter(action__in=originals))
    for update in updates:
        update.pk, update.action = None, copies[update.action_id]
    ProgressUpdate.objects.bulk_create(updates)
    return Action.objects.filter(strategy=strategy).count()


def report():
    from reports.models import AnnualReport

    return AnnualReport.objects.select_related("partnership").get(partnership__slug="tri-borough", year=2015)


def median_seconds(function, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        gc.collect()  # each timing starts from a clean heap: no run pays for the garbage of the one before
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure_builds() -> dict:
    from weasyprint import HTML

    from reports import builder
    from reports.fetcher import BASE_URL, ReportURLFetcher

    the_report = report()
    warm = builder.build(the_report, draft=False)  # imports, URL resolver, fonts
    final_html = builder.render_html(builder.collect(the_report, draft=False), for_pdf=True)

    def weasyprint_alone():
        document = HTML(string=final_html, base_url=BASE_URL, url_fetcher=ReportURLFetcher()).render(
            pdf_variant="pdf/ua-1"
        )
        document.write_pdf(pdf_variant="pdf/ua-1")

    # Interleaved, so a noisy neighbour slows both alike.
    full, alone, word = [], [], []
    for _ in range(RUNS):
        full.append(median_seconds(lambda: builder.build(the_report, draft=False), 1))
        alone.append(median_seconds(weasyprint_alone, 1))
        word.append(median_seconds(lambda: builder.build(the_report, draft=False, with_docx=True), 1))
    return {
        "full": statistics.median(full),
        "alone": statistics.median(alone),
        "word": statistics.median(word),
        "pages": warm.pdf.page_count,
    }


def measure_download() -> dict:
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import path, reverse

    from partnership.access import partnership_view
    from partnership.models import Membership
    from reports import services
    from vawg import urls as project_urls

    @partnership_view()
    def trivial(request):
        return HttpResponse("ok")

    module = type(sys)("bench_report_urls")
    module.urlpatterns = [path("<slug:partnership_slug>/bench-trivial/", trivial, name="bench_trivial")]
    module.urlpatterns += project_urls.urlpatterns
    sys.modules["bench_report_urls"] = module

    edition = services.edition_request(report=report(), user=None, publish=True)
    board_member = Membership.objects.filter(partnership__slug="tri-borough", role="board_member").first().user
    with override_settings(ROOT_URLCONF="bench_report_urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(board_member)
        download_url = reverse(
            "reports:edition_pdf", kwargs={"partnership_slug": "tri-borough", "year": 2015, "edition_id": edition.pk}
        )
        trivial_url = reverse("bench_trivial", kwargs={"partnership_slug": "tri-borough"})

        def download():
            response = client.get(download_url)
            assert response.status_code == 200
            b"".join(response.streaming_content)

        def plain():
            assert client.get(trivial_url).status_code == 200

        for _ in range(20):
            download(), plain()
        requests = 200
        download_time = median_seconds(lambda: [download() for _ in range(requests)])
        plain_time = median_seconds(lambda: [plain() for _ in range(requests)])
    return {
        "download_ms": download_time * 1000 / requests,
        "trivial_ms": plain_time * 1000 / requests,
        "size": edition.pdf_size,
    }


def peak_resident_mb() -> float:
    """The process's high-water mark of resident memory. VmHWM starts afresh with the new program; ru_maxrss can
    carry over the parent's figure across fork and exec on Linux, so it is only the fallback."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(actions: int) -> None:
    """In a fresh process: one build, then the process's peak resident memory."""
    from reports import builder

    if actions > 43:
        double_the_plan()
    the_report = report()
    before_mb = peak_resident_mb()
    built = builder.build(the_report, draft=False)
    print(f"{before_mb:.0f} {peak_resident_mb():.0f} {built.pdf.page_count}")


def measure_memory(database: str, media: str, actions: int) -> tuple[float, float, int]:
    result = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(actions), "--database", database, "--media", media],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    )
    before, peak, pages = result.stdout.split()[-3:]
    return float(before), float(peak), int(pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-child", type=int)
    parser.add_argument("--database")
    parser.add_argument("--media")
    options = parser.parse_args()
    if options.memory_child:
        setup_django(options.database, options.media)
        from django.db import transaction

        with transaction.atomic():
            memory_child(options.memory_child)
            transaction.set_rollback(True)
        return

    workdir = tempfile.mkdtemp(prefix="vawg-bench-")
    database, media = str(Path(workdir) / "bench.sqlite3"), str(Path(workdir) / "media")
    setup_django(database, media)
    import logging
    import warnings

    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")
    prepare_database()
    from django.db import transaction

    print("Annual report build benchmark (demo partnership, 2015-16, medians of", RUNS, "runs)")
    with transaction.atomic():
        b43 = measure_builds()
        print(f"  full build, 43 actions:            {b43['full']:6.2f} s  ({b43['pages']} pages)")
        print(f"  WeasyPrint alone, same HTML:       {b43['alone']:6.2f} s")
        ratio = b43["full"] / b43["alone"]
        print(f"  -> full build / WeasyPrint alone:  {ratio:6.2f}x  (target <= 1.10x)")
        print(f"  build with the Word edition:       {b43['word']:6.2f} s")
        print(f"  -> with Word / full build:         {b43['word'] / b43['full']:6.2f}x  (what a publication adds)")
        count = double_the_plan()
        b86 = measure_builds()
        print(f"  full build, {count} actions:            {b86['full']:6.2f} s  ({b86['pages']} pages)")
        print(f"  -> {count} actions / 43 actions:        {b86['full'] / b43['full']:6.2f}x  (target <= 2.30x)")
        transaction.set_rollback(True)
    for actions in (43, 86):
        before, peak, pages = measure_memory(database, media, actions)
        print(f"  peak memory, build of {actions} actions: {peak:5.0f} MB  ({pages} pages; {before:.0f} MB before it)")
    print("  -> target: under 300 MB for a 60-page report")
    download = measure_download()
    print(f"  download of a stored edition:      {download['download_ms']:6.2f} ms  ({download['size']:,} bytes)")
    print(f"  trivial view, same access layer:   {download['trivial_ms']:6.2f} ms")
    print(
        f"  -> download / trivial view:        {download['download_ms'] / download['trivial_ms']:6.2f}x  (target <= 3x)"
    )


if __name__ == "__main__":
    main()
