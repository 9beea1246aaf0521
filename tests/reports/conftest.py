import pytest


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    """Stored editions go to a temporary folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
