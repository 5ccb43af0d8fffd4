from django.http import HttpResponse

from annotation.roles import REVIEWER, role_required


@role_required(REVIEWER)
def queue(request):
    return HttpResponse("Review queue: not built yet.")


@role_required(REVIEWER)
def edit_queue(request):
    return HttpResponse("Edit queue: not built yet.")
