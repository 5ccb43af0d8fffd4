from django.http import HttpResponse

from annotation.roles import ADMIN, role_required


@role_required(ADMIN)
def dataset_list(request):
    return HttpResponse("Releases: not built yet.")
