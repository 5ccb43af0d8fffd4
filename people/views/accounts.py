"""allauth's account forms, answering 422 when invalid as every form of the site does
(allauth answers 200), so a script or a test tells a refusal from a page."""

from allauth.account import views
from django import forms
from django.http import HttpResponse


class _Unprocessable:
    def form_invalid(self, form: forms.Form) -> HttpResponse:
        response = super().form_invalid(form)
        if response.status_code == 200:
            response.status_code = 422
        return response


class LoginView(_Unprocessable, views.LoginView):
    pass


class SignupView(_Unprocessable, views.SignupView):
    pass


class PasswordChangeView(_Unprocessable, views.PasswordChangeView):
    pass


class PasswordSetView(_Unprocessable, views.PasswordSetView):
    pass


class PasswordResetView(_Unprocessable, views.PasswordResetView):
    pass


class PasswordResetFromKeyView(_Unprocessable, views.PasswordResetFromKeyView):
    pass


login = LoginView.as_view()
signup = SignupView.as_view()
password_change = PasswordChangeView.as_view()
password_set = PasswordSetView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_from_key = PasswordResetFromKeyView.as_view()
