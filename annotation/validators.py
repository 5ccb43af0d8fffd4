"""Validators of model fields whose values the database cannot check by itself."""

from django.core.exceptions import ValidationError

# What a category's example holds (templates/annotation/write.html shows them).
EXAMPLE_FIELDS = ("instruction", "context", "response")


def validate_examples(examples: object) -> None:
    """A category's examples: a list of objects of instruction, context and response texts,
    the context optional. The write page shows them to every contributor of the category,
    so anything else would break it for all of them."""
    if not isinstance(examples, list):
        raise ValidationError(
            'Give a list of examples: [{"instruction": "…", "context": "", "response": "…"}].'
        )
    for number, example in enumerate(examples, start=1):
        if not isinstance(example, dict):
            raise ValidationError(f"Example {number} is not an object of texts.")
        unknown = sorted(set(example) - set(EXAMPLE_FIELDS))
        if unknown:
            raise ValidationError(
                f"Example {number} has fields an example does not have: "
                f"{', '.join(unknown)} (only {', '.join(EXAMPLE_FIELDS)})."
            )
        for field in EXAMPLE_FIELDS:
            value = example.get(field, "")
            if not isinstance(value, str):
                raise ValidationError(f"Example {number}: {field} must be text.")
            if field != "context" and not value.strip():
                raise ValidationError(f"Example {number} needs its {field}.")
