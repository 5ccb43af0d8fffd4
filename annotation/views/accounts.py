from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render

from annotation.accounts import signup_domains, signup_enabled, user_signup
from annotation.forms_accounts import SignupForm


def signup(request):
    if not signup_enabled():
        raise Http404("Self sign-up is not enabled on this site.")
    if request.user.is_authenticated:
        return redirect("annotation:home")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = user_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        # Two backends are configured (axes first), so login() must be told which one.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}! You can start writing.")
        return redirect("annotation:home")
    return render(request, "registration/signup.html", {"form": form, "domains": signup_domains()})
