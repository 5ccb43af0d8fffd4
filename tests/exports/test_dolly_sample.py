"""The real databricks-dolly-15k records, imported and released, come back byte for byte."""

from io import StringIO

from django.conf import settings
from django.core.management import call_command

from tests.exports.conftest import build, read

SAMPLE = settings.BASE_DIR / "tests" / "data" / "dolly-sample.jsonl"


def test_a_release_of_the_imported_sample_reproduces_its_dolly_file(dolly):
    call_command(
        "import_pairs", str(SAMPLE), "--dataset", "dolly", "--status", "approved",
        "--lenient-policy", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    release = build(dolly)
    assert release.total_count == 305
    assert read(release, "dolly.jsonl") == SAMPLE.read_bytes()
