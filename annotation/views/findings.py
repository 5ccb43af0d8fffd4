"""A reviewer or admin confirms a finding fictional or public (the writer does at submit)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotation.flags import finding_confirm, may_confirm, revision_findings
from annotation.models import Finding
from annotation.views.gates import next_url


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("revision__pair"), pk=pk)
    revision = finding.revision
    if not may_confirm(revision=revision, user=request.user):
        raise Http404("No such finding for you.")
    finding_confirm(finding=finding, by=request.user)
    if request.htmx:
        context = {
            "revision": revision,
            "findings": revision_findings(revision=revision, viewer=request.user),
            "next_url": request.POST.get("next", ""),
        }
        return render(request, "annotation/findings_review.html#review_findings", context)
    return redirect(next_url(request) or "annotation:home")
