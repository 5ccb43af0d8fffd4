"""import_pairs and findings: credentials refuse the file, personal data waits unconfirmed."""

import pytest
from django.core.management import CommandError

from annotation.models import Finding, Pair
from annotation.pairs import shipped_pairs
from tests.annotation.test_import_pairs import SAMPLE, line, run, write

TOKEN = "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1"


def test_a_credential_refuses_the_whole_file_naming_each_line(dolly, tmp_path):
    path = write(
        tmp_path,
        line(1),
        line(2, response=f"Post with the bot token {TOKEN} in the header."),
        line(3),
        line(
            4,
            context="",
            instruction="Question number 4: how do I read this key?",
            response="-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq",
        ),
    )
    with pytest.raises(CommandError) as failed:
        run(path)
    message = str(failed.value)
    assert "2 problem(s)" in message and "nothing was imported" in message
    assert "line 2: response: Slack Token at line 1, column 25" in message
    assert "line 4: response: Private Key at line 1, column 6" in message
    assert TOKEN not in message
    assert not Pair.objects.exists()


@pytest.mark.parametrize(
    "flags", [["--keep-near-duplicates"], ["--lenient-policy"], ["--skip-duplicates"]]
)
def test_no_flag_lets_a_credential_in(dolly, tmp_path, flags):
    path = write(tmp_path, line(1), line(2, response=f"Post with the bot token {TOKEN} now."))
    with pytest.raises(CommandError, match="line 2: response: Slack Token"):
        run(path, *flags)
    assert not Pair.objects.exists()


def test_personal_data_is_imported_unconfirmed_and_does_not_ship(dolly, tmp_path):
    text = "Reach the office at (415) 555-2671 or jane.doe@gmail.com."
    path = write(tmp_path, line(1), line(2, response=text))
    run(path, "--status", "approved")
    flagged = Pair.objects.get(current_revision__response=text)
    rows = list(Finding.objects.filter(revision=flagged.current_revision).order_by("start"))
    assert [(r.kind, text[r.start : r.end]) for r in rows] == [
        ("phone", "(415) 555-2671"),
        ("email", "jane.doe@gmail.com"),
    ]
    assert all(r.confirmed_at is None and r.confirmed_by is None for r in rows)
    assert list(shipped_pairs(dataset=dolly)) == list(Pair.objects.exclude(pk=flagged.pk))


def test_the_real_dolly_sample_imports_with_no_credential(dolly):
    run(SAMPLE, "--status", "approved")
    assert Pair.objects.count() == 305
    assert not Finding.objects.filter(category=Finding.Category.CREDENTIAL).exists()
