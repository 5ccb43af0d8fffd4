from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from people.forms import ProfileForm
from people.profiles import profile_for, profile_update


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    current = profile_for(user=request.user)
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial={"leaderboard_opt_out": current.leaderboard_opt_out},
    )
    if request.method == "POST" and form.is_valid():
        profile_update(
            user=request.user, leaderboard_opt_out=form.cleaned_data["leaderboard_opt_out"]
        )
        messages.success(request, "Your profile is saved.")
        return redirect("people:profile")
    status = 422 if form.errors else 200
    return render(request, "people/profile.html", {"form": form}, status=status)
