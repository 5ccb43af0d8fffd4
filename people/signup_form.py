"""allauth's sign-up form with this site's rule on the address (ACCOUNT_FORMS)."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from people.accounts import email_domain_allowed, signup_domains


class SignupForm(AllauthSignupForm):
    def clean_email(self) -> str:
        # Here, not in the adapter's clean_email, which every address form calls: a
        # person whose address is elsewhere (an invited one) must still reset a password.
        email = super().clean_email()
        if not email_domain_allowed(email):
            raise forms.ValidationError(
                "Sign-up is open only to addresses at "
                + ", ".join(f"@{domain}" for domain in signup_domains())
                + "."
            )
        return email
