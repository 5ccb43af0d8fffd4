"""Not built yet: placeholder views so the URLconf loads while work is in progress."""

from django.http import Http404


def my_pairs(request, *args, **kwargs):
    raise Http404("Not built yet.")


def pair_detail(request, *args, **kwargs):
    raise Http404("Not built yet.")


def withdraw(request, *args, **kwargs):
    raise Http404("Not built yet.")
