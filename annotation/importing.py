"""Importing Dolly-format JSONL: every line is checked before any is written; all or nothing.

Both passes run in one transaction, so what the first pass checked against the database
(the duplicate rule, near-duplicates in the corpus) still holds when the second writes;
a pair submitted concurrently is caught by the unique constraint on the normalised
instruction, and the whole import is refused. The file is read twice, streaming: the
first pass checks every line with the checks a writer's submit runs (annotation.checks;
memory bounded per line, plus a digest and the instruction per line for the duplicate and
near-duplicate checks) and collects "line N: ..." problems; only when there are none does
the second pass write the pairs in batches with ``bulk_create``. The second pass hashes
the file again and rolls back if it changed in between.

Imported pairs are created directly in their status (submitted or approved) rather than
walked through ``workflow.transition`` one by one: they are new rows, not a change of
status, and a 100k-line file must not write 100k audit events. One ``pairs.import``
AuditEvent on the dataset records the whole import instead.
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from annotation.audit import audit
from annotation.checks import check_text, duplicate_keys, is_duplicate_error
from annotation.findings import Finding as Found
from annotation.flags import finding_rows
from annotation.models import Category, Dataset, Draft, Finding, Pair, Revision, content_hash
from annotation.normalisation import normalise, normalised_key, unify_newlines
from annotation.similar import CorpusSearch, band_digests, bands_text, similar_within
from people.accounts import IMPORTER, system_user

FIELDS = ("instruction", "context", "response", "category")
IMPORT_STATUSES = (Pair.Status.SUBMITTED, Pair.Status.APPROVED)
MAX_LINE_BYTES = 1_000_000
MAX_REPORTED_ERRORS = 50
BATCH_ROWS = 2_000
# A batch is also cut by size, so 2,000 near-limit lines never sit in memory at once.
BATCH_BYTES = 16_000_000
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "true/false"}


class ImportFailed(Exception):
    """The file has problems; nothing was written. ``errors`` holds the first few."""

    def __init__(self, errors: list[str], total: int) -> None:
        self.errors, self.total = errors, total
        super().__init__(f"{total} problem(s); nothing was imported.")


@dataclass(frozen=True)
class Record:
    instruction: str
    context: str
    response: str
    category: Category
    key: str
    normalised: str
    # Its LSH bands (annotation.similar.band_digests): computed once, used three times.
    bands: bytes
    # Personal data in the text, recorded unconfirmed: such a pair ships once confirmed.
    findings: tuple[Found, ...] = ()

    @property
    def size(self) -> int:
        return len(self.instruction) + len(self.context) + len(self.response)


@dataclass
class ImportResult:
    count: int = 0
    per_category: Counter = field(default_factory=Counter)
    skipped_duplicates: int = 0
    sha256: str = ""
    # Near-duplicates kept with keep_near_duplicates, as "line N: ..." (the first 50).
    near_duplicates: list[str] = field(default_factory=list)


@dataclass
class _Problems:
    shown: list[str] = field(default_factory=list)
    total: int = 0

    def add(self, lineno: int, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_REPORTED_ERRORS:
            self.shown.append(f"line {lineno}: {message}")


class _LineReader:
    """Numbered lines of a binary file, each at most MAX_LINE_BYTES; hashes what it reads.

    An over-long line is yielded as None (and drained in chunks) so it costs no memory.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def _read(self, limit: int) -> bytes:
        chunk = self.stream.readline(limit)
        self.digest.update(chunk)
        return chunk

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        lineno = 0
        while raw := self._read(MAX_LINE_BYTES + 1):
            lineno += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                while (rest := self._read(1 << 16)) and not rest.endswith(b"\n"):
                    pass
                yield lineno, None
            else:
                yield lineno, raw


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


class _RepeatedKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """json object_pairs_hook: a repeated key is refused, not silently the last value."""
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise _RepeatedKey(key)
        obj[key] = value
    return obj


def _parse(
    lineno: int,
    raw: bytes | None,
    categories: dict[str, Category],
    lenient_policy: bool,
    found: dict[int, tuple[Found, ...]] | None = None,
) -> Record | str | None:
    """A checked record, a problem message, or None for a blank line.

    ``found``: the second pass's findings of the first, by line; the content checks are
    not run again (half the import's time). A line changed between the passes changes
    the file's digest, and the import is refused then.
    """
    if raw is None:
        return f"longer than {MAX_LINE_BYTES:,} bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"not UTF-8 text (byte 0x{raw[error.start]:02x} at byte {error.start + 1})"
    if lineno == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        obj = json.loads(text, object_pairs_hook=_unique_keys)
    except _RepeatedKey as repeated:
        return f"repeated key {_short(str(repeated))}; each key may appear once"
    except json.JSONDecodeError as error:
        return f"not valid JSON: {error.msg} (column {error.colno})"
    except (ValueError, RecursionError):
        return "not valid JSON: a value is too large or nested too deeply"
    if not isinstance(obj, dict):
        return f"expected a JSON object with keys {', '.join(FIELDS)}, got {_json_type(obj)}"
    missing = [name for name in FIELDS if name not in obj]
    extra = [_short(name) for name in obj if name not in FIELDS]
    if missing or extra:
        parts = [f"missing key {', '.join(missing)}"] if missing else []
        parts += [f"unexpected key {', '.join(extra[:5])}"] if extra else []
        return "; ".join(parts)
    for name in FIELDS:
        if not isinstance(obj[name], str):
            return f"{name} must be a string, not {_json_type(obj[name])}"
    category = categories.get(obj["category"])
    if category is None:
        return f"unknown category {_short(obj['category'])}"
    values = {
        name: unify_newlines(obj[name].strip()) for name in ("instruction", "context", "response")
    }
    # The same checks as a writer's submit (annotation.checks), line by line: credentials
    # are refused there; personal data is recorded unconfirmed with the pair.
    if found is not None:
        findings = found.get(lineno, ())
    else:
        result = check_text(category=category, policy=not lenient_policy, **values)
        if not result.ok:
            return "; ".join(
                f"{name}: {message}"
                for name, messages in result.errors.items()
                for message in messages
            )
        findings = tuple(result.findings)
    normalised = normalise(values["instruction"])
    return Record(
        category=category,
        key=normalised_key(normalised),
        normalised=normalised,
        bands=band_digests(normalised),
        findings=findings,
        **values,
    )


def _validate(
    path: Path,
    dataset: Dataset,
    *,
    lenient_policy: bool,
    skip_duplicates: bool,
    keep_near_duplicates: bool = False,
    notes: list[str] | None = None,
) -> tuple[set[int], str, dict[int, tuple[Found, ...]]]:
    """First pass, inside the import's transaction: raise ImportFailed, or return the line
    numbers to skip and the sha256. Near-duplicates kept by ``keep_near_duplicates`` are
    described in ``notes``."""
    categories = {c.slug: c for c in dataset.categories.all()}
    problems = _Problems()
    notes = [] if notes is None else notes
    first_line: dict[bytes, int] = {}
    skipped: set[int] = set()
    found: dict[int, tuple[Found, ...]] = {}
    pending: list[tuple[int, Record]] = []
    instructions: list[tuple[int, str, bytes]] = []
    corpus = CorpusSearch(threshold=dataset.near_duplicate_threshold)

    def near(lineno: int, message: str) -> None:
        if keep_near_duplicates:
            if len(notes) < MAX_REPORTED_ERRORS:
                notes.append(f"line {lineno}: {message}")
        else:
            problems.add(lineno, message)

    def check_pending() -> None:
        existing = duplicate_keys(dataset_id=dataset.pk, keys=[r.key for _, r in pending])
        fresh = []
        for lineno, record in pending:
            if record.key not in existing:
                fresh.append((lineno, record.normalised, bands_text(record.bands)))
            elif skip_duplicates:
                skipped.add(lineno)
            else:
                problems.add(lineno, f"instruction already exists in dataset {dataset.slug}")
        for lineno, (pair, score) in sorted(corpus.best(fresh).items()):
            near(
                lineno,
                f"near-duplicate ({round(score * 100)}% similar) of pair {pair.public_id} "
                f"in {pair.dataset.slug}/{pair.category.slug}",
            )
        pending.clear()

    with path.open("rb") as stream:
        reader = _LineReader(stream)
        for lineno, raw in reader:
            record = _parse(lineno, raw, categories, lenient_policy)
            if record is None:
                continue
            if isinstance(record, str):
                problems.add(lineno, record)
                continue
            if record.findings:
                found[lineno] = record.findings
            digest = bytes.fromhex(record.key)
            earlier = first_line.setdefault(digest, lineno)
            if earlier != lineno:
                if skip_duplicates:
                    skipped.add(lineno)
                else:
                    problems.add(lineno, f"same instruction as line {earlier}")
                continue
            instructions.append((lineno, record.normalised, record.bands))
            pending.append((lineno, record))
            if len(pending) >= BATCH_ROWS:
                check_pending()
        check_pending()
    instructions = [item for item in instructions if item[0] not in skipped]
    named: set[int] = set()
    for earlier, later, score in similar_within(
        instructions, threshold=dataset.near_duplicate_threshold
    ):
        if later in named:
            continue
        named.add(later)
        near(later, f"near-duplicate ({round(score * 100)}% similar) of line {earlier}")
        if len(named) >= MAX_REPORTED_ERRORS:
            # Enough to act on; a file of near-copies would otherwise cost n^2 comparisons.
            break
    if problems.total:
        raise ImportFailed(problems.shown, problems.total)
    return skipped, reader.digest.hexdigest(), found


def _reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` primary keys no other writer will use, so rows can point at each other
    before both exist (foreign keys are checked at commit)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: our IMMEDIATE transaction holds the write lock, so nobody else inserts.
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "  # noqa: S608
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [model._meta.db_table],
        )
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _write_batch(batch: list[Record], *, dataset: Dataset, author: User, status: str) -> None:
    # Pairs point at their revision and revisions at their pair: reserving the revision
    # ids first lets each table be written once, with no UPDATE afterwards.
    now = timezone.now()
    approved = status == Pair.Status.APPROVED
    revision_ids = _reserve_ids(Revision, len(batch))
    pairs = Pair.objects.bulk_create(
        [
            Pair(
                dataset=dataset,
                category=record.category,
                author=author,
                status=status,
                current_revision_id=revision_id,
                approved_revision_id=revision_id if approved else None,
                instruction_key=record.key,
                instruction_normalised=record.normalised,
                instruction_bands=bands_text(record.bands),
                submitted_at=now,
                approved_at=now if approved else None,
            )
            for record, revision_id in zip(batch, revision_ids, strict=True)
        ]
    )
    text = [
        {"instruction": r.instruction, "context": r.context, "response": r.response} for r in batch
    ]
    Revision.objects.bulk_create(
        Revision(
            pk=revision_id,
            pair=pair,
            number=1,
            kind=Revision.Kind.IMPORTED,
            author=author,
            category=record.category,
            content_hash=content_hash(category_slug=record.category.slug, **fields),
            instruction_key=record.key,
            **fields,
        )
        for revision_id, pair, record, fields in zip(revision_ids, pairs, batch, text, strict=True)
    )
    Draft.objects.bulk_create(
        Draft(pair=pair, **fields) for pair, fields in zip(pairs, text, strict=True)
    )
    Finding.objects.bulk_create(
        row
        for revision_id, record in zip(revision_ids, batch, strict=True)
        for row in finding_rows(revision_id=revision_id, found=record.findings)
    )


def importer_user() -> User:
    """The system account that authors imported pairs by default, made by people's
    migration (no password, inactive): never created here, so no one can register the
    name first and own what is imported."""
    return system_user(IMPORTER)


def pairs_import(
    *,
    path: Path,
    dataset: Dataset,
    status: str = Pair.Status.SUBMITTED,
    author: User | None = None,
    lenient_policy: bool = False,
    skip_duplicates: bool = False,
    keep_near_duplicates: bool = False,
) -> ImportResult:
    """Import every record of a Dolly-format JSONL file into ``dataset``, or none.

    Raises ImportFailed (nothing written) when any line is bad, OSError when the file
    cannot be read.
    """
    if status not in IMPORT_STATUSES:
        raise ValueError(f"Imported pairs are submitted or approved, not {status!r}.")
    categories = {c.slug: c for c in dataset.categories.all()}
    changed = ImportFailed(["the file changed while it was being imported"], 1)
    try:
        with transaction.atomic():
            notes: list[str] = []
            skipped, sha256, found = _validate(
                path,
                dataset,
                lenient_policy=lenient_policy,
                skip_duplicates=skip_duplicates,
                keep_near_duplicates=keep_near_duplicates,
                notes=notes,
            )
            result = ImportResult(
                skipped_duplicates=len(skipped), sha256=sha256, near_duplicates=notes
            )
            author = author or importer_user()
            _write_all(path, skipped, found, categories, result, dataset, author, status)
            if result.sha256 != sha256:
                raise changed
            audit(
                actor=None,
                verb="pairs.import",
                obj=dataset,
                file=path.name,
                sha256=sha256,
                count=result.count,
                status=str(status),
                author=author.username,
                categories=dict(result.per_category.most_common()),
                skipped_duplicates=result.skipped_duplicates,
                kept_near_duplicates=len(notes),
                lenient_policy=lenient_policy,
            )
    except IntegrityError as error:
        if not is_duplicate_error(error):
            raise
        raise ImportFailed(
            [
                "an instruction of this file was submitted by someone else while it was "
                "being imported; import it again to see which"
            ],
            1,
        ) from None
    return result


def _write_all(
    path: Path,
    skipped: set[int],
    found: dict[int, tuple[Found, ...]],
    categories: dict[str, Category],
    result: ImportResult,
    dataset: Dataset,
    author: User,
    status: str,
) -> None:
    """Second pass: write every checked record in batches; ``result.sha256`` becomes the
    digest of what was read now."""
    changed = ImportFailed(["the file changed while it was being imported"], 1)
    batch: list[Record] = []
    batch_size = 0
    with path.open("rb") as stream:
        reader = _LineReader(stream)
        for lineno, raw in reader:
            if lineno in skipped:
                continue
            record = _parse(lineno, raw, categories, lenient_policy=False, found=found)
            if isinstance(record, str):
                raise changed
            if record is None:
                continue
            batch.append(record)
            batch_size += record.size
            result.count += 1
            result.per_category[record.category.slug] += 1
            if len(batch) >= BATCH_ROWS or batch_size >= BATCH_BYTES:
                _write_batch(batch, dataset=dataset, author=author, status=status)
                batch, batch_size = [], 0
        if batch:
            _write_batch(batch, dataset=dataset, author=author, status=status)
    result.sha256 = reader.digest.hexdigest()
