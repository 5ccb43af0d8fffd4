"""preference.jsonl: human preferences from work already done.

Every accepted edit of a pair the release ships (a reviewer's approve-with-edit, or an
edit proposal someone accepted), up to the revision it ships, is a preference: the
prompt, the response as it was (rejected) and as the edit made it (chosen). Edits that
left the response alone say nothing about responses and are left out, as are the files
when there are none (the ``datasets`` library cannot load an empty JSON lines file). So
is an edit either of whose texts holds a finding nobody confirmed: the text an edit
replaced (say, to take a customer's address out) never ships as "rejected" either.

The same rows go to data/preference.parquet, which the card names as the "preference"
configuration: the ``datasets`` library reads every configuration of a folder with one
builder, Parquet here, as the default configuration's splits are.
"""

from collections.abc import Iterator
from itertools import islice
from json.encoder import encode_basestring

from django.db.models import Exists, OuterRef, QuerySet

from annotation.pairs import unconfirmed_findings_of
from exports.files import HashingFile, WrittenFile
from exports.formats import Facts, Format
from exports.formats.messages import prompt
from exports.formats.parquet import ParquetTable
from review.models import EditProposal
from review.outcomes import approvals_of

FETCH_ROWS = 1000
LINE = '{"prompt": %s, "chosen": %s, "rejected": %s, "category": %s, "id": "%s"}\n'
COLUMNS = ("prompt", "chosen", "rejected", "category", "id")
PARQUET = "data/preference.parquet"


class Preference(Format):
    name = "preference.jsonl"
    files = (name, PARQUET)
    about = (
        "a preference pair (prompt, chosen, rejected, category, id) from every accepted edit: "
        '`load_dataset(path, "preference")`.'
    )
    config = ("preference", PARQUET)
    written: list[WrittenFile] | None = None

    def finish(self, facts: Facts) -> list[WrittenFile]:
        if self.written is not None:
            return self.written
        # Edits in the history of the revision each pair ships (not one approved during
        # the build) whose text was approved: an edit of text still under review (an
        # improvement short of its reviews) is neither side approved, and later text
        # (a move copies the approved text) may have a higher number.
        shipped_since = facts.release.entries.filter(
            pair_id=OuterRef("pair_id"), revision__number__gte=OuterRef("result_revision__number")
        )
        edits = (
            EditProposal.objects.filter(
                Exists(shipped_since),
                status=EditProposal.Status.ACCEPTED,
                result_revision__isnull=False,
            )
            .exclude(Exists(unconfirmed_findings_of("base_revision")))
            .exclude(Exists(unconfirmed_findings_of("result_revision")))
            .order_by("pair_id", "result_revision__number")
            .values_list(
                "result_revision__instruction",
                "result_revision__context",
                "result_revision__response",
                "base_revision__response",
                "result_revision__category__slug",
                "pair__public_id",
                "result_revision__number",
            )
        )
        out = HashingFile(self.directory, self.name)
        try:
            table = ParquetTable(self.directory, PARQUET, COLUMNS)
        except BaseException:
            out.abort()
            raise
        rows = 0
        try:
            for instruction, context, chosen, rejected, category, public_id in _approved(edits):
                if chosen == rejected:
                    continue
                row = (prompt(instruction, context), chosen, rejected, category, public_id)
                out.write((LINE % (*map(encode_basestring, row[:4]), row[4])).encode("utf-8"))
                table.add([[value] for value in row])  # it gathers whole row groups itself
                rows += 1
            files = [out.close(), table.close()]
        except BaseException:
            out.abort()
            table.abort()
            raise
        if not rows:
            for file in files:
                file.path.unlink()
        self.written = files if rows else []
        return self.written


def _approved(edits: QuerySet) -> Iterator[tuple]:
    """The edits whose text (their result revision) was approved, a block at a time."""
    rows = edits.iterator(FETCH_ROWS)
    while block := list(islice(rows, FETCH_ROWS)):
        approved = approvals_of(pair_public_ids={str(row[5]) for row in block})
        for *row, public_id, number in block:
            if (str(public_id), number) in approved:
                yield (*row, str(public_id))
