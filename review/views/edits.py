"""The edit queue: taking the next proposed edit, and accepting or declining it."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseStopPolling

from annotation.flags import draft_findings
from annotation.roles import REVIEWER, role_required
from annotation.similar import near_duplicates_context
from review.consensus import Verdict, approvals_needed, consensus_rule
from review.diff import text_diff
from review.edits import (
    EditStale,
    edit_accept,
    edit_decline,
    edit_held,
    edit_take_next,
    edits_decided_today,
    edits_reviewable,
    may_decide,
)
from review.forms import EditDecisionForm
from review.leases import Kind, LeaseExpired, NotHeld, lease_get, lease_release, lease_renew
from review.models import EditProposal, Lease, Review
from review.views.given_back import given_back, given_back_note
from review.views.unrecorded import not_held, not_recorded

VERDICT_MESSAGES = {
    Verdict.APPROVED: "The pair is approved with the edited text.",
    Verdict.REJECTED: "The pair is rejected.",
    Verdict.CHANGES_REQUESTED: "The pair went back to its author.",
    Verdict.NEEDS_MORE: "The edited text waits for more reviews.",
}


@role_required(REVIEWER)
def edit_queue(request: HttpRequest) -> HttpResponse:
    context = {
        "waiting": edits_reviewable(request.user).count(),
        "decided_today": edits_decided_today(reviewer=request.user),
        "held": edit_held(reviewer=request.user),
    }
    return render(request, "review/edit_queue.html", context)


@role_required(REVIEWER)
@require_POST
def edit_next(request: HttpRequest) -> HttpResponse:
    lease = edit_take_next(reviewer=request.user, given_back=given_back(request, kind=Kind.EDIT))
    if lease is None:
        return render(request, "review/empty.html", {"what": "edits"})
    return redirect("review:edit", public_id=lease.proposal.public_id)


def _proposal_or_404(request: HttpRequest, public_id: UUID) -> EditProposal:
    """An edit the reviewer may decide: not their own and not on their own pair."""
    proposal = get_object_or_404(
        EditProposal.objects.select_related(
            "pair__category",
            "pair__dataset",
            "pair__prompt",
            "base_revision",
            "pair__current_revision",
        ),
        public_id=public_id,
    )
    if not may_decide(proposal=proposal, reviewer=request.user):
        raise Http404("Nobody decides their own edit.")
    return proposal


def _expired(
    request: HttpRequest,
    proposal: EditProposal,
    *,
    comment: str = "",
    status: int = 200,
    why: str = "",
) -> HttpResponse:
    kept = [("Your comment", comment)]
    return not_recorded(request, what="edit", kept=kept, status=status, why=why)


def _page(
    request: HttpRequest,
    proposal: EditProposal,
    lease: Lease,
    form: EditDecisionForm,
    status: int = 200,
) -> HttpResponse:
    pair = proposal.pair
    # Accepting counts as two approvals: the reviewer must see who already decided what.
    reviews = list(
        pair.reviews.filter(round=pair.review_round)
        .select_related("reviewer", "revision")
        .order_by("created_at")
    )
    decisions = [r.decision for r in reviews if r.revision_id == pair.current_revision_id]
    context = {
        "proposal": proposal,
        "pair": pair,
        "diff": text_diff(proposal.base_revision, proposal),
        "form": form,
        "lease": lease,
        "reviews": reviews,
        "rejections": [r for r in reviews if r.decision == Review.Decision.REJECT],
        "needed": approvals_needed(category=pair.category, decisions=decisions),
        "rule": consensus_rule(pair.category),
        # The edited text's flags, as the reviewer's pair page shows a revision's.
        "proposed_findings": draft_findings(
            pair=pair,
            text_fields={
                "instruction": proposal.instruction,
                "context": proposal.context,
                "response": proposal.response,
            },
        ),
        **near_duplicates_context(
            instruction=proposal.instruction,
            dataset=pair.dataset,
            viewer=request.user,
            exclude=pair,
        ),
    }
    return render(request, "review/edit.html", context, status=status)


def _held_page(
    request: HttpRequest,
    proposal: EditProposal,
    form: EditDecisionForm,
    *,
    comment: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page, if the reviewer holds the edit; else why not."""
    try:
        lease = lease_get(holder=request.user, kind=Kind.EDIT, item=proposal)
    except NotHeld as exc:
        if form.is_bound:
            return not_held(request, what="edit", kept=[("Your comment", comment)])
        raise Http404("You do not hold this edit.") from exc
    except LeaseExpired:
        return _expired(request, proposal, comment=comment, status=409 if comment else 200)
    return _page(request, proposal, lease, form, status=status)


@role_required(REVIEWER)
def edit_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    if proposal.status != EditProposal.Status.PENDING:
        messages.info(request, "That edit was already decided.")
        return redirect("review:edits")
    return _held_page(request, proposal, EditDecisionForm())


@role_required(REVIEWER)
@require_POST
def edit_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    form = EditDecisionForm(request.POST)
    if not form.is_valid():
        comment = form.data.get("comment", "")
        return _held_page(request, proposal, form, comment=comment, status=422)
    comment = form.cleaned_data["comment"]
    try:
        if form.cleaned_data["decision"] == "accept":
            verdict = edit_accept(proposal=proposal, by=request.user, comment=comment)
            done = verdict is not None
            if done:
                messages.success(request, "Edit accepted. " + VERDICT_MESSAGES[verdict])
        else:
            done = edit_decline(proposal=proposal, by=request.user, comment=comment)
            if done:
                messages.success(request, "Edit declined; the pair stays in the review queue.")
    except NotHeld:
        return not_held(request, what="edit", kept=[("Your comment", comment)])
    except LeaseExpired:
        return _expired(request, proposal, comment=comment, status=409)
    except EditStale as exc:
        return _expired(request, proposal, comment=comment, status=409, why=str(exc))
    except ValidationError as exc:
        # Beside the comment when that is what is missing; the edit's own text, which
        # this form does not show as fields, above it.
        field = "comment" if "comment" in getattr(exc, "error_dict", {}) else None
        form.add_error(field, exc.messages)
        return _held_page(request, proposal, form, comment=comment, status=422)
    if not done:
        messages.info(request, "That edit was already decided.")
    return _go_next(request)


def _go_next(request: HttpRequest) -> HttpResponse:
    if request.POST.get("then") != "next":
        return redirect("review:edits")
    lease = edit_take_next(reviewer=request.user, given_back=given_back(request, kind=Kind.EDIT))
    if lease is None:
        messages.info(request, "No more edits waiting for you. Thank you!")
        return redirect("review:edits")
    return redirect("review:edit", public_id=lease.proposal.public_id)


@role_required(REVIEWER)
@require_POST
def edit_heartbeat(request: HttpRequest, public_id: UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    try:
        lease = lease_renew(holder=request.user, kind=Kind.EDIT, item=proposal)
    except NotHeld as exc:
        raise Http404("You do not hold this edit.") from exc
    except LeaseExpired:
        if request.htmx:
            context = {"proposal": proposal, "lease": None}
            return HttpResponseStopPolling(
                render(request, "review/edit.html#lease", context).content
            )
        return _expired(request, proposal)
    if request.htmx:
        return render(request, "review/edit.html#lease", {"proposal": proposal, "lease": lease})
    return redirect("review:edit", public_id=proposal.public_id)


@role_required(REVIEWER)
@require_POST
def edit_release(request: HttpRequest, public_id: UUID) -> HttpResponse:
    proposal = _proposal_or_404(request, public_id)
    if lease_release(holder=request.user, kind=Kind.EDIT, item=proposal):
        given_back_note(request, kind=Kind.EDIT, item_id=proposal.pk)
        messages.info(request, "You gave the edit back; it is in the queue again.")
    return redirect("review:edits")
