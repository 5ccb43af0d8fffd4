"""README.md: the dataset card, with YAML front matter that a dataset hub reads."""

import json
from dataclasses import dataclass
from datetime import datetime

from annotation.models import Category, Dataset
from exports.changelog import Changes

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


def _yaml(value: str) -> str:
    """A JSON string is a valid double-quoted YAML scalar, whatever it holds."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class CardFacts:
    dataset: Dataset
    version: int
    built_at: datetime
    total: int
    counts: dict
    filters: dict
    notes: str
    previous_version: int | None
    changes: Changes | None


def card_markdown(facts: CardFacts) -> str:
    dataset = facts.dataset
    categories = {c.slug: c for c in Category.objects.filter(dataset=dataset)}
    shipped = [slug for slug, n in facts.counts["categories"].items() if n]
    tasks = sorted({TASKS.get(slug, "text-generation") for slug in shipped} | {"text-generation"})
    splits = facts.counts["splits"]
    pretty = f"{dataset.name} v{facts.version}"
    lines = [
        "---",
        f"license: {hub_licence(dataset.licence)}",
        "language:",
        f"- {dataset.language}",
        "task_categories:",
        *[f"- {task}" for task in tasks],
        "size_categories:",
        f"- {size_category(facts.total)}",
        f"pretty_name: {_yaml(pretty)}",
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        "    path: data/train.parquet",
    ]
    if splits.get("test"):
        lines += ["  - split: test", "    path: data/test.parquet"]
    lines += ["---", "", f"# {pretty}", ""]
    if dataset.description:
        lines += [dataset.description.strip(), ""]
    lines += [
        f"Version v{facts.version}, built {facts.built_at.strftime('%Y-%m-%d %H:%M UTC')}: "
        f"**{facts.total}** instruction/response pairs "
        f"({splits.get('train', 0)} train, {splits.get('test', 0)} test).",
        "",
    ]
    if facts.notes:
        lines += ["## Release notes", "", facts.notes.strip(), ""]
    lines += [
        "## Categories",
        "",
        "| category | pairs | approvals needed |",
        "| --- | ---: | ---: |",
    ]
    for slug, count in facts.counts["categories"].items():
        category = categories.get(slug)
        needed = category.reviews_required if category else "?"
        lines.append(f"| {slug} | {count} | {needed} |")
    chosen = facts.filters.get("categories") or []
    lines += [
        "",
        "Filtered to categories: " + ", ".join(chosen) if chosen else "All categories.",
        "",
        "## How it was collected",
        "",
        "Every pair was written by hand by an employee, in the manner of "
        "databricks-dolly-15k: an instruction, optional reference context (required for "
        "closed QA, information extraction and summarization) and a response, written "
        "without generative tools. Peers reviewed each pair; only the approved revision of "
        "a pair ships, and retracted pairs are removed. Authors and reviewers appear only "
        "as pseudonymous ids (an HMAC of their account id), stable across releases.",
        "",
        "## Files",
        "",
        "- `dolly.jsonl`: the databricks-dolly-15k format "
        "(instruction, context, response, category).",
        "- `full.jsonl`: the same plus pair id, revision, timestamps, pseudonymous author "
        "and reviewers, review count, split and source URL.",
        "- `messages.jsonl`: chat format (the context follows the instruction in the user turn).",
        "- `alpaca.json`: a JSON array of instruction, input, output.",
        "- `data/train.parquet`, `data/test.parquet`: the splits, by a hash of the pair id "
        f"(test fraction {facts.filters.get('test_fraction')}); a pair keeps its split "
        "across releases.",
        "- `manifest.json`: sizes and sha256 of every file; `CHANGELOG.md`: changes "
        "since the previous release.",
        "",
        "## Changes",
        "",
    ]
    if facts.changes is None:
        lines.append("First release.")
    else:
        lines.append(
            f"Since v{facts.previous_version}: {facts.changes.added} added, "
            f"{facts.changes.removed} removed, {facts.changes.changed} changed."
        )
    lines += [
        "",
        "## Licence and attribution",
        "",
        f"Licensed under {dataset.licence} ({dataset.licence_url}). If you share or adapt "
        f"it, credit “{dataset.name} contributors”, link the licence, say what you "
        "changed, and share your adaptation under the same licence.",
        "",
    ]
    return "\n".join(lines)
