from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from people.roles import CONTRIBUTOR, ROLES

MAX_INVITES = 100
_EMAIL_MAX = User._meta.get_field("email").max_length


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "ann.lee@example.com"}),
        help_text="One per line.",
    )
    roles = forms.MultipleChoiceField(
        choices=[(role, role.capitalize()) for role in ROLES],
        initial=[CONTRIBUTOR],
        widget=forms.CheckboxSelectMultiple,
        help_text="Admins also get Django's admin to manage datasets, categories and people.",
    )

    def clean_emails(self) -> list[str]:
        """The distinct addresses, one per line; every bad line is named."""
        emails, errors, seen = [], [], set()
        for number, line in enumerate(self.cleaned_data["emails"].splitlines(), 1):
            email = User.objects.normalize_email(line.strip())
            if not email or email.lower() in seen:
                continue
            try:
                validate_email(email)
                if len(email) > _EMAIL_MAX:
                    raise ValidationError("too long")
            except ValidationError:
                errors.append(f"Line {number}: “{email[:80]}” is not an email address.")
                continue
            seen.add(email.lower())
            emails.append(email)
        if errors:
            raise ValidationError(errors)
        if not emails:
            raise ValidationError("Enter at least one email address.")
        if len(emails) > MAX_INVITES:
            raise ValidationError(f"At most {MAX_INVITES} addresses at a time.")
        return emails


class ProfileForm(forms.Form):
    leaderboard_opt_out = forms.BooleanField(
        label="Leave me off the leaderboard",
        required=False,
        help_text="Your pairs still count towards the dataset; your name is not shown among "
        "the top writers.",
    )
