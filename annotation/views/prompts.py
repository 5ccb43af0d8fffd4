"""Not built yet: placeholder views so the URLconf loads while work is in progress."""

from django.http import Http404


def open_prompts(request, *args, **kwargs):
    raise Http404("Not built yet.")


def ask(request, *args, **kwargs):
    raise Http404("Not built yet.")


def answer(request, *args, **kwargs):
    raise Http404("Not built yet.")
