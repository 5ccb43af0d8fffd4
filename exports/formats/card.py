"""README.md: the dataset card, with YAML front matter that a dataset hub reads; its text
is the template ``templates/exports/card.md``."""

import json

from django.template.loader import render_to_string

from annotation.models import Category
from exports.files import WrittenFile
from exports.formats import Facts, Format, formats, write_file
from review.consensus import consensus_rule

# Categories of databricks-dolly-15k and the hub task each one serves; any other category
# counts as text generation.
TASKS = {
    "open_qa": "question-answering",
    "general_qa": "question-answering",
    "closed_qa": "question-answering",
    "information_extraction": "question-answering",
    "classification": "text-classification",
    "summarization": "summarization",
    "brainstorming": "text-generation",
    "creative_writing": "text-generation",
}
HUB_LICENCES = {
    "cc by-sa 3.0": "cc-by-sa-3.0",
    "cc by-sa 4.0": "cc-by-sa-4.0",
    "cc by 4.0": "cc-by-4.0",
    "cc0 1.0": "cc0-1.0",
    "apache 2.0": "apache-2.0",
    "mit": "mit",
}
SIZES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
]


def size_category(total: int) -> str:
    for limit, label in SIZES:
        if total < limit:
            return label
    return "10M<n<100M"


def hub_licence(licence: str) -> str:
    return HUB_LICENCES.get(licence.strip().lower(), "other")


class Card(Format):
    """Reads what the changelog and stats put in the facts, so it finishes after both; it
    lists the files of the formats before it and of the manifest, the one after it."""

    name = "README.md"

    def finish(self, facts: Facts) -> list[WrittenFile]:
        release = facts.release
        dataset = release.dataset
        categories = Category.objects.filter(dataset=dataset)
        # The rule as reviews apply it, not the raw field a split vote raises per pair.
        needed = {category.slug: str(consensus_rule(category)) for category in categories}
        shipped = list(facts.counts["categories"])  # the categories of the rows written
        tasks = {TASKS.get(slug, "text-generation") for slug in shipped} | {"text-generation"}
        pretty_name = f"{dataset.name} v{facts.version}"
        context = {
            "dataset": dataset,
            "licence": hub_licence(dataset.licence),
            "tasks": sorted(tasks),
            "size": size_category(facts.total),
            # A JSON string is a valid double-quoted YAML scalar, whatever it holds.
            "pretty_name_yaml": json.dumps(pretty_name, ensure_ascii=False),
            "pretty_name": pretty_name,
            "splits": facts.counts["splits"],
            "extra_configs": [
                {"name": f.config[0], "path": f.config[1]} for f in facts.formats if f.config
            ],
            "version": facts.version,
            "built_at": facts.built_at.strftime("%Y-%m-%d %H:%M UTC"),
            "description": dataset.description.strip(),
            "total": facts.total,
            "chosen": release.categories,
            "notes": release.notes.strip(),
            "categories": [
                {"slug": slug, "count": count, "needed": needed.get(slug, "?")}
                for slug, count in facts.counts["categories"].items()
            ],
            "context_required": [
                category.name
                for category in categories
                if category.slug in shipped
                and category.context_policy == Category.ContextPolicy.REQUIRED
            ],
            "test_fraction": release.test_fraction,
            "changes": facts.changes,
            "previous": facts.previous,
            "stats": facts.stats,
            "files": _files(facts),
        }
        text = render_to_string("exports/card.md", context)
        return [write_file(self.directory, self.name, text.encode("utf-8"))]


def _files(facts: Facts) -> list[dict]:
    """Each format's files and what they hold: those written before the card, and those
    written after it (the manifest), which always are."""
    order = formats()
    written = [*facts.formats, *order[order.index(Card) + 1 :]]
    return [{"names": f.files or (f.name,), "about": f.about} for f in written if f.about]
