"""Not built yet: placeholder views so the URLconf loads while work is in progress."""

from django.http import Http404


def signup(request, *args, **kwargs):
    raise Http404("Not built yet.")
