import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import AnnualReport, ReportEdition, SubgroupUpdate, SubgroupUpdateEdition, report_storage
from tests.factories import OperationalGroupFactory, PartnershipFactory

PDF_BYTES = b"%PDF-1.7\n% a stored test edition\n%%EOF\n"
HTML_BYTES = b"<!DOCTYPE html><html lang='en-GB'><head><title>Stored edition</title></head><body></body></html>"
DOCX_BYTES = b"PK\x03\x04 a stored test Word edition"


def stored(content: bytes, extension: str) -> str:
    """Store test content under a name taken from its hash, so repeated runs reuse one file, never pile up."""
    storage = report_storage()
    name = f"reports/test/{hashlib.sha256(content).hexdigest()}.{extension}"
    if not storage.exists(name):
        storage.save(name, ContentFile(content))
    return name


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport
        django_get_or_create = ["partnership", "year"]

    partnership = factory.SubFactory(PartnershipFactory)
    year = 2015
    prepared_by = "the VAWG Strategic Lead"
    introduction = "The partnership's year."


class ReportEditionFactory(factory.django.DjangoModelFactory):
    """A finished build with stored files; `published=True` (the default) makes it published edition 1."""

    class Meta:
        model = ReportEdition

    class Params:
        published = True

    report = factory.SubFactory(AnnualReportFactory)
    purpose = factory.LazyAttribute(
        lambda o: ReportEdition.Purpose.PUBLISH if o.published else ReportEdition.Purpose.DRAFT
    )
    state = ReportEdition.State.READY
    progress = 100
    progress_message = "Ready"
    finished_at = factory.LazyFunction(timezone.now)
    number = factory.LazyAttribute(
        lambda o: (o.report.editions.exclude(number=None).count() + 1) if o.published else None
    )
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.published else None)
    published_by_name = factory.LazyAttribute(lambda o: "Alice Lead" if o.published else "")
    pdf = factory.LazyFunction(lambda: stored(PDF_BYTES, "pdf"))
    pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    pdf_size = len(PDF_BYTES)
    page_count = 1
    html = factory.LazyFunction(lambda: stored(HTML_BYTES, "html"))
    html_sha256 = hashlib.sha256(HTML_BYTES).hexdigest()
    docx = factory.LazyFunction(lambda: stored(DOCX_BYTES, "docx"))
    docx_sha256 = hashlib.sha256(DOCX_BYTES).hexdigest()


class SubgroupUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubgroupUpdate

    partnership = factory.SubFactory(PartnershipFactory)
    group = factory.SubFactory(OperationalGroupFactory, partnership=factory.SelfAttribute("..partnership"))
    year = 2017
    quarter = 4
    key_challenges = "Attendance fell in January."


class SubgroupUpdateEditionFactory(factory.django.DjangoModelFactory):
    """A finished build with stored files."""

    class Meta:
        model = SubgroupUpdateEdition

    update = factory.SubFactory(SubgroupUpdateFactory)
    state = SubgroupUpdateEdition.State.READY
    finished_at = factory.LazyFunction(timezone.now)
    pdf = factory.LazyFunction(lambda: stored(PDF_BYTES, "pdf"))
    pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    pdf_size = len(PDF_BYTES)
    page_count = 1
    html = factory.LazyFunction(lambda: stored(HTML_BYTES, "html"))
    html_sha256 = hashlib.sha256(HTML_BYTES).hexdigest()
