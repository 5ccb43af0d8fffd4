"""The databricks-dolly-15k categories, as a dataset to start from."""

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from annotation.models import Category, Dataset
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER

C = Category.ContextPolicy

# slug, name, context policy, target share (the shares in databricks-dolly-15k), guidelines,
# one example.
DOLLY_CATEGORIES: list[dict] = [
    {
        "slug": "open_qa",
        "name": "Open QA",
        "context_policy": C.NONE,
        "target_share": 0.25,
        "allows_open_prompts": True,
        "guidelines": (
            "Write a question about the world that can be answered from general knowledge, "
            "then answer it correctly and completely.\n\n"
            "- No reference text: the answer must stand on its own.\n"
            "- Prefer questions real people ask; avoid trivia that needs a lookup table.\n"
            "- Answer in your own words. Do not paste from the web or from a chatbot."
        ),
        "example": {
            "instruction": "Why can camels survive for long without water?",
            "context": "",
            "response": "Camels use the fat in their humps to keep them filled with energy "
            "and hydration for long periods of time.",
        },
    },
    {
        "slug": "general_qa",
        "name": "General QA",
        "context_policy": C.NONE,
        "target_share": 0.15,
        "allows_open_prompts": True,
        "guidelines": (
            "Ask a question that invites a broad answer (advice, opinion grounded in fact, "
            "an explanation), and write a helpful, well-organised response.\n\n"
            "- No reference text.\n- Several paragraphs or a list are welcome."
        ),
        "example": {
            "instruction": "How do I get better at running long distances?",
            "context": "",
            "response": "Build mileage slowly, about ten percent a week; keep most runs easy; "
            "add one longer run each week; and rest enough to recover.",
        },
    },
    {
        "slug": "closed_qa",
        "name": "Closed QA",
        "context_policy": C.REQUIRED,
        "target_share": 0.12,
        "guidelines": (
            "Paste a passage of reference text (for example from Wikipedia) as the context, "
            "write a question that the passage answers, and answer it **only** from the "
            "passage.\n\n- Give the source URL of the passage.\n"
            "- The question must not be answerable without the passage."
        ),
        "example": {
            "instruction": "When did Virgin Australia start operating?",
            "context": "Virgin Australia ... commenced services on 31 August 2000 as Virgin "
            "Blue, with two aircraft on a single route.",
            "response": "Virgin Australia commenced services on 31 August 2000 as Virgin Blue.",
        },
    },
    {
        "slug": "classification",
        "name": "Classification",
        "context_policy": C.OPTIONAL,
        "target_share": 0.14,
        "guidelines": (
            "Write an instruction that asks to sort, label or choose between given items, "
            "and give the correct classification.\n\n"
            "- Include every item to classify in the instruction or the context."
        ),
        "example": {
            "instruction": "Which is a species of fish? Tope or Rope",
            "context": "",
            "response": "Tope",
        },
    },
    {
        "slug": "information_extraction",
        "name": "Information extraction",
        "context_policy": C.REQUIRED,
        "target_share": 0.10,
        "guidelines": (
            "Paste a passage as the context and ask for specific facts to be pulled out of "
            "it (names, dates, a list). The response extracts them from the passage only."
        ),
        "example": {
            "instruction": "From the passage, list the cities the airline uses as hubs.",
            "context": "The airline has since grown to directly serve 32 cities in Australia, "
            "from hubs in Brisbane, Melbourne and Sydney.",
            "response": "Brisbane, Melbourne, Sydney",
        },
    },
    {
        "slug": "brainstorming",
        "name": "Brainstorming",
        "context_policy": C.NONE,
        "target_share": 0.12,
        "allows_open_prompts": True,
        "guidelines": (
            "Ask for ideas (a list of options, names, plans) and write a varied, useful "
            "set of them."
        ),
        "example": {
            "instruction": "Give me some ideas for a rainy Saturday with kids.",
            "context": "",
            "response": "Build a blanket fort, bake bread together, hold a board-game "
            "tournament, visit a museum, or put on a puppet show.",
        },
    },
    {
        "slug": "summarization",
        "name": "Summarization",
        "context_policy": C.REQUIRED,
        "target_share": 0.08,
        "guidelines": (
            "Paste a passage as the context and ask for a summary of it. The response "
            "summarises the passage faithfully, shorter than the passage itself."
        ),
        "example": {
            "instruction": "Summarise this paragraph in one sentence.",
            "context": "Komorida was born in Kumamoto Prefecture on July 10, 1981. After "
            "graduating from high school, he joined the J1 League club Avispa Fukuoka.",
            "response": "Komorida, born in 1981, joined Avispa Fukuoka after high school.",
        },
    },
    {
        "slug": "creative_writing",
        "name": "Creative writing",
        "context_policy": C.NONE,
        "target_share": 0.04,
        "allows_open_prompts": True,
        "guidelines": (
            "Ask for a piece of original writing (a poem, a story, a letter) with clear "
            "constraints, and write it yourself."
        ),
        "example": {
            "instruction": "Write a haiku about the first snow of winter.",
            "context": "",
            "response": "Quiet morning light\nthe garden forgets its paths\nfirst snow on the "
            "steps",
        },
    },
]


@transaction.atomic
def dataset_seed_dolly(*, slug: str = "dolly", name: str = "Dolly") -> Dataset:
    """Create (or complete) a dataset with the 8 Dolly categories; idempotent."""
    dataset, _ = Dataset.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "description": "Hand-written instruction/response pairs in the eight categories "
            "of databricks-dolly-15k.",
        },
    )
    for spec in DOLLY_CATEGORIES:
        Category.objects.get_or_create(
            dataset=dataset,
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "context_policy": spec["context_policy"],
                "target_share": spec["target_share"],
                "allows_open_prompts": spec.get("allows_open_prompts", False),
                "guidelines": spec["guidelines"],
                "examples": [spec["example"]],
            },
        )
    return dataset


# username, roles, staff. Passwords are fixed on a local site so a demo can follow the README.
DEMO_USERS: list[tuple[str, list[str], bool]] = [
    ("alice", [CONTRIBUTOR], False),
    ("dan", [CONTRIBUTOR], False),
    ("bob", [REVIEWER, CONTRIBUTOR], False),
    ("rita", [REVIEWER, CONTRIBUTOR], False),
    ("ada", [ADMIN, REVIEWER, CONTRIBUTOR], True),
]
LOCAL_DEMO_PASSWORD = "handwritten-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    user: User
    roles: list[str]
    # None when the account already existed: seeding leaves such an account alone.
    password: str | None


@transaction.atomic
def demo_users_seed(*, local: bool) -> list[DemoUser]:
    """Create the demo accounts that do not exist yet, with their roles and a password.

    An existing account is never changed (not its password, not its roles): it may be a
    real person's who happens to be called ``ada``. ``local`` (a DEBUG site) gives the
    README's fixed password; elsewhere each new account draws a random one.
    """
    seeded = []
    for username, roles, staff in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com", "is_staff": staff}
        )
        password = None
        if created:
            password = LOCAL_DEMO_PASSWORD if local else secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(*Group.objects.filter(name__in=roles))
        seeded.append(DemoUser(user=user, roles=roles, password=password))
    return seeded
