"""Not built yet: placeholder views so the URLconf loads while work is in progress."""

from django.http import Http404


def write(request, *args, **kwargs):
    raise Http404("Not built yet.")


def edit(request, *args, **kwargs):
    raise Http404("Not built yet.")


def autosave(request, *args, **kwargs):
    raise Http404("Not built yet.")


def submit(request, *args, **kwargs):
    raise Http404("Not built yet.")


def skip(request, *args, **kwargs):
    raise Http404("Not built yet.")
