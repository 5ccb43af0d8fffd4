from argparse import RawDescriptionHelpFormatter
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from annotation.importing import (
    IMPORT_STATUSES,
    MAX_LINE_BYTES,
    ImportFailed,
    pairs_import,
)
from annotation.models import Dataset

HELP = f"""Import Dolly-format JSONL (databricks-dolly-15k): one JSON object per line with
exactly the keys instruction, context, response and category (a category slug of the
dataset). Blank lines are skipped; text is stripped of surrounding white space.

All or nothing: every line is checked first and any problem is reported as
"line N: ..." (the first 50 and a count); then nothing is written and the command exits
non-zero. Every line runs the checks a writer's submit runs (annotation.checks).
Problems: a line that is not UTF-8, not JSON, not an object, has missing, extra or
repeated keys, non-string values, an unknown category, NUL or control characters,
disguising characters (bidi overrides, zero-width characters), an empty instruction or
response, is over {MAX_LINE_BYTES:,} bytes, repeats an instruction (earlier in the file,
or a submitted/approved pair of the dataset), or holds a credential (an API key, token,
private key or password in a URL: its kind and position are named). Instructions are
compared after one normalisation (NFKC, invisible characters removed, white space
collapsed, case folded, look-alike letters mapped by Unicode's confusables), so disguised
repeats are repeats. Personal data (e-mail addresses, phone numbers, payment cards, IBANs,
IP addresses) is imported but recorded unconfirmed: such a pair does not ship until a
reviewer or an admin confirms the data fictional or public.

A near-duplicate (an instruction at least the dataset's near-duplicate threshold similar,
by trigrams, to an earlier line or to a live pair of any dataset) is a problem too, each
line named; --keep-near-duplicates imports them and lists them instead (never
credentials). Line endings in the text (CRLF, CR) are stored as LF.

By default each record must also follow the rules writers follow in the app: the
category's context policy (required/none) and the length limits. Historical data may
predate them (databricks-dolly-15k has open_qa with context): --lenient-policy imports
such records as they are. --skip-duplicates skips repeated instructions (the first one
wins) instead of failing.

Pairs are authored by --author (default: the system account "importer", which people's
migration creates without roles or a way to sign in). --status submitted (default) queues
them for review; --status approved imports an already-reviewed dataset (its only revision
is the approved one). Every pair gets one revision of kind "imported" and a draft with the
same text. The import is audited as one
"pairs.import" event on the dataset (file, sha256, count, status), not one per pair."""


class _HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Keeps the paragraphs of the help text as written."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the JSONL file.")
        parser.add_argument("--dataset", required=True, help="Slug of the dataset.")
        parser.add_argument("--status", choices=IMPORT_STATUSES, default="submitted")
        parser.add_argument("--author", help="Username of the author (default: importer).")
        parser.add_argument(
            "--lenient-policy",
            action="store_true",
            help="Accept records that break the context policy or length limits.",
        )
        parser.add_argument(
            "--skip-duplicates",
            action="store_true",
            help="Skip repeated instructions instead of failing.",
        )
        parser.add_argument(
            "--keep-near-duplicates",
            action="store_true",
            help="Import near-duplicate instructions (and list them) instead of failing.",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        dataset = Dataset.objects.filter(slug=options["dataset"]).first()
        if dataset is None:
            raise CommandError(f"No dataset with slug {options['dataset']!r}.")
        author = None
        if options["author"]:
            author = User.objects.filter(username=options["author"]).first()
            if author is None:
                raise CommandError(f"No user named {options['author']!r}.")
        try:
            result = pairs_import(
                path=path,
                dataset=dataset,
                status=options["status"],
                author=author,
                lenient_policy=options["lenient_policy"],
                skip_duplicates=options["skip_duplicates"],
                keep_near_duplicates=options["keep_near_duplicates"],
            )
        except ImportFailed as failed:
            lines = [
                f"{failed.total} problem(s) in {path.name}; nothing was imported.",
                *failed.errors,
            ]
            if failed.total > len(failed.errors):
                lines.append(f"... and {failed.total - len(failed.errors)} more")
            raise CommandError("\n".join(lines)) from None
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        counts = ", ".join(f"{slug} {n}" for slug, n in result.per_category.most_common())
        summary = f"Imported {result.count} pairs into {dataset.slug} (status {options['status']})"
        self.stdout.write(f"{summary}: {counts}." if counts else f"{summary}.")
        if result.skipped_duplicates:
            self.stdout.write(f"Skipped {result.skipped_duplicates} repeated instruction(s).")
        if result.near_duplicates:
            self.stdout.write("Kept near-duplicate instruction(s):")
            for note in result.near_duplicates:
                self.stdout.write(f"  {note}")
