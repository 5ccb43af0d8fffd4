"""Importing Dolly-format JSONL: every line is checked before any is written; all or nothing.

The file is read twice, streaming: a first pass validates every line (memory bounded per
line, plus one 32-byte digest per instruction for the duplicate check) and collects
"line N: ..." errors; only when there are none does a second pass write the pairs in
batches with ``bulk_create``, inside one transaction. The second pass hashes the file
again and rolls back if it changed in between.

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

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from annotation.audit import audit
from annotation.checks import text_problem
from annotation.findings import Finding as Found
from annotation.findings import credential_messages, findings_scan
from annotation.flags import finding_rows
from annotation.models import (
    Category,
    Dataset,
    Draft,
    Finding,
    Pair,
    Revision,
    content_hash,
    instruction_key,
)
from people.accounts import IMPORTER, system_user

FIELDS = ("instruction", "context", "response", "category")
IMPORT_STATUSES = (Pair.Status.SUBMITTED, Pair.Status.APPROVED)
MAX_LINE_BYTES = 1_000_000
MAX_REPORTED_ERRORS = 50
BATCH_ROWS = 2_000
# A batch is also cut by size, so 2,000 near-limit lines never sit in memory at once.
BATCH_BYTES = 16_000_000
# Statuses whose instruction counts as already present (as in annotation.checks).
_LIVE = (Pair.Status.SUBMITTED, Pair.Status.CHANGES_REQUESTED, Pair.Status.APPROVED)
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


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _parse(
    lineno: int,
    raw: bytes | None,
    categories: dict[str, Category],
    lenient_policy: bool,
) -> Record | str | None:
    """The record on this line, an error message, or None for a blank line."""
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
        obj = json.loads(text)
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
    values = {name: obj[name].strip() for name in ("instruction", "context", "response")}
    for name, value in values.items():
        problem = text_problem(value)
        if problem:
            return f"{name}: {problem}"
    for name in ("instruction", "response"):
        if not values[name]:
            return f"{name} is empty"
    if not lenient_policy:
        problem = _policy_problem(category, values)
        if problem:
            return problem
    found = findings_scan(text_fields=values)
    refused = credential_messages(findings=found, text_fields=values)
    if refused:
        return "; ".join(f"{name}: {message}" for name, message in refused)
    return Record(
        category=category,
        key=instruction_key(values["instruction"]),
        findings=tuple(found),
        **values,
    )


def _policy_problem(category: Category, values: dict[str, str]) -> str | None:
    """The rules a writer follows in the app: context policy and length limits."""
    policy = category.context_policy
    if policy == Category.ContextPolicy.REQUIRED and not values["context"]:
        return f"context: {category.slug} requires a context"
    if policy == Category.ContextPolicy.NONE and values["context"]:
        return f"context: {category.slug} takes no context"
    for name, value in values.items():
        low, high = settings.HANDWRITTEN_LIMITS[name]
        if value and not low <= len(value) <= high:
            return f"{name}: {len(value)} characters, allowed {low}-{high}"
    return None


def _existing_keys(dataset: Dataset, keys: list[str]) -> set[str]:
    """Which of ``keys`` are the instruction of a live pair's current revision already."""
    return set(
        Pair.objects.filter(
            dataset=dataset, status__in=_LIVE, current_revision__instruction_key__in=keys
        ).values_list("current_revision__instruction_key", flat=True)
    )


def _validate(
    path: Path, dataset: Dataset, *, lenient_policy: bool, skip_duplicates: bool
) -> tuple[set[int], str]:
    """First pass: raise ImportFailed, or return the line numbers to skip and the sha256."""
    categories = {c.slug: c for c in dataset.categories.all()}
    problems = _Problems()
    first_line: dict[bytes, int] = {}
    skipped: set[int] = set()
    pending: list[tuple[int, str]] = []

    def check_pending() -> None:
        existing = _existing_keys(dataset, [key for _, key in pending])
        for lineno, key in pending:
            if key not in existing:
                continue
            if skip_duplicates:
                skipped.add(lineno)
            else:
                problems.add(lineno, f"instruction already exists in dataset {dataset.slug}")
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
            digest = bytes.fromhex(record.key)
            earlier = first_line.setdefault(digest, lineno)
            if earlier != lineno:
                if skip_duplicates:
                    skipped.add(lineno)
                else:
                    problems.add(lineno, f"same instruction as line {earlier}")
                continue
            pending.append((lineno, record.key))
            if len(pending) >= BATCH_ROWS:
                check_pending()
        check_pending()
    if problems.total:
        raise ImportFailed(problems.shown, problems.total)
    return skipped, reader.digest.hexdigest()


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
) -> ImportResult:
    """Import every record of a Dolly-format JSONL file into ``dataset``, or none.

    Raises ImportFailed (nothing written) when any line is bad, OSError when the file
    cannot be read.
    """
    if status not in IMPORT_STATUSES:
        raise ValueError(f"Imported pairs are submitted or approved, not {status!r}.")
    skipped, sha256 = _validate(
        path, dataset, lenient_policy=lenient_policy, skip_duplicates=skip_duplicates
    )
    categories = {c.slug: c for c in dataset.categories.all()}
    result = ImportResult(skipped_duplicates=len(skipped), sha256=sha256)
    changed = ImportFailed(["the file changed while it was being imported"], 1)
    with transaction.atomic():
        author = author or importer_user()
        batch: list[Record] = []
        batch_size = 0
        with path.open("rb") as stream:
            reader = _LineReader(stream)
            for lineno, raw in reader:
                if lineno in skipped:
                    continue
                record = _parse(lineno, raw, categories, lenient_policy)
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
        if reader.digest.hexdigest() != sha256:
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
            lenient_policy=lenient_policy,
        )
    return result
