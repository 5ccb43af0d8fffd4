"""Not built yet: placeholder views so the URLconf loads while work is in progress."""

from django.http import Http404


def invite(request, *args, **kwargs):
    raise Http404("Not built yet.")


def accept_invite(request, *args, **kwargs):
    raise Http404("Not built yet.")
