"""Reviewing one pair: the page, the decision, confirming its findings, the lease heartbeat
and releasing it."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from annotation.flags import revision_findings
from annotation.models import Finding, Pair
from annotation.pairs import is_written_by
from annotation.roles import REVIEWER, role_required
from annotation.similar import near_duplicates_context
from annotation.workflow import S
from review.consensus import Verdict, approvals_needed, consensus_rule
from review.decisions import PairChanged, review_decide, review_finding_confirm
from review.diff import text_diff
from review.forms import DecisionForm
from review.leases import Kind, LeaseExpired, NotHeld, lease_get, lease_release, lease_renew
from review.models import Lease, Review
from review.views.given_back import given_back_note
from review.views.queue import go_next
from review.views.unrecorded import not_held, not_recorded

VERDICT_MESSAGES = {
    Verdict.APPROVED: "The pair is approved.",
    Verdict.REJECTED: "The pair is rejected.",
    Verdict.CHANGES_REQUESTED: "The pair went back to its author.",
    Verdict.NEEDS_MORE: "It waits for more reviews.",
}
DECISION_MESSAGES = {
    Review.Decision.APPROVE: "You approved it.",
    Review.Decision.APPROVE_WITH_EDIT: (
        "You approved it with your edit, which waits in the edit queue for another "
        "reviewer to accept."
    ),
    Review.Decision.REQUEST_CHANGES: "You asked its author for changes.",
    Review.Decision.REJECT: "You rejected it.",
}


def decided_message(review: Review, verdict: Verdict) -> str:
    said = DECISION_MESSAGES[review.decision]
    if verdict == Verdict.NEEDS_MORE and review.decision == Review.Decision.APPROVE_WITH_EDIT:
        return said  # the edit queue is what it waits for
    return f"{said} {VERDICT_MESSAGES[verdict]}"


def _pair_or_404(request: HttpRequest, public_id: UUID) -> Pair:
    """A pair the reviewer did not write; anything else is not found."""
    pair = get_object_or_404(
        Pair.objects.select_related(
            "category", "dataset", "current_revision__category", "approved_revision", "prompt"
        ),
        public_id=public_id,
        current_revision__isnull=False,
    )
    if is_written_by(pair=pair, user=request.user):
        raise Http404("Nobody reviews their own pair.")
    return pair


# The edit's fields, shown back only with the decision that carries an edit.
_EDITED = [
    ("instruction", "Your edited instruction"),
    ("context", "Your edited context"),
    ("response", "Your edited response"),
    ("source_url", "Your edited source URL"),
]


def _kept(form: DecisionForm, pair: Pair) -> list[tuple[str, str]]:
    """The text the reviewer typed, to copy from a page that could record nothing: the
    comment, and the fields of an edit that differ from the pair's text."""
    kept = [("Your comment", form.data.get("comment", "").strip())]
    if form.data.get("decision") == Review.Decision.APPROVE_WITH_EDIT:
        revision = pair.current_revision
        for name, label in _EDITED:
            text = form.data.get(name, "")
            kept += [(label, text)] if text != getattr(revision, name) else []
    return [(label, text) for label, text in kept if text.strip()]


def _expired(
    request: HttpRequest,
    pair: Pair,
    *,
    form: DecisionForm | None = None,
    status: int = 200,
    why: str = "",
) -> HttpResponse:
    kept = _kept(form, pair) if form is not None else []
    return not_recorded(request, what="pair", kept=kept, status=status, why=why)


def _page(
    request: HttpRequest, pair: Pair, lease: Lease, form: DecisionForm, status: int = 200
) -> HttpResponse:
    revision = pair.current_revision
    revision.pair = pair  # the same row: the findings read it
    history = list(pair.revisions.select_related("category").order_by("-number"))
    earlier = [
        (older, text_diff(older, newer), newer)
        for newer, older in zip(history, history[1:], strict=False)
    ]
    decisions = Review.objects.filter(revision=revision, round=pair.review_round)
    decisions = list(decisions.values_list("decision", flat=True))
    context = {
        "pair": pair,
        "revision": revision,
        "lease": lease,
        "form": form,
        "history": earlier,
        "round_reviews": len(decisions),
        "needed": approvals_needed(category=pair.category, decisions=decisions),
        "rule": consensus_rule(pair.category),
        "is_improvement": pair.approved_revision_id is not None,
        "findings": revision_findings(revision=revision, viewer=request.user),
        **near_duplicates_context(
            instruction=revision.instruction,
            dataset=pair.dataset,
            viewer=request.user,
            exclude=pair,
        ),
    }
    return render(request, "review/pair.html", context, status=status)


@role_required(REVIEWER)
def pair_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _pair_or_404(request, public_id)
    try:
        lease = lease_get(holder=request.user, kind=Kind.REVIEW, item=pair)
    except NotHeld as exc:
        raise Http404("You do not hold this pair.") from exc
    except LeaseExpired:
        return _expired(request, pair)
    if pair.status != S.SUBMITTED:
        lease_release(holder=request.user, kind=Kind.REVIEW, item=pair)
        messages.info(request, "That pair was decided while it waited for you.")
        return redirect("review:queue")
    return _page(request, pair, lease, DecisionForm(revision=pair.current_revision))


@role_required(REVIEWER)
@require_POST
def decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _pair_or_404(request, public_id)
    form = DecisionForm(request.POST, revision=pair.current_revision)
    if not form.is_valid():
        return _held_page(request, pair, form)
    data = form.cleaned_data
    try:
        decided = review_decide(
            pair=pair,
            reviewer=request.user,
            revision_number=data["revision"],
            decision=data["decision"],
            comment=data["comment"],
            reason=data["reason"],
            scores=form.scores(),
            edit=form.edit_text(),
        )
    except NotHeld:
        return not_held(request, what="pair", kept=_kept(form, pair))
    except LeaseExpired:
        return _expired(request, pair, form=form, status=409)
    except PairChanged as exc:
        return _expired(request, pair, form=form, status=409, why=str(exc))
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _held_page(request, pair, form)
    review = decided.review
    if decided.repeated:
        messages.info(request, f"Already recorded: {review.get_decision_display().lower()}.")
    else:
        messages.success(request, decided_message(review, decided.verdict))
    return go_next(request)


@role_required(REVIEWER)
@require_POST
def confirm_finding(request: HttpRequest, public_id: UUID, pk: int) -> HttpResponse:
    pair = _pair_or_404(request, public_id)
    finding = get_object_or_404(Finding.objects.select_related("revision"), pk=pk)
    try:
        review_finding_confirm(pair=pair, finding=finding, by=request.user)
    except NotHeld:
        # htmx swaps no error into the page: the button would do nothing, so the reviewer
        # goes to the queue, told why.
        if request.htmx:
            messages.error(request, "You no longer hold that pair; nothing was confirmed.")
            return HttpResponseClientRedirect(reverse("review:queue"))
        return not_held(request, what="pair", kept=[])
    except PermissionDenied as exc:
        raise Http404("No such finding for you.") from exc
    except LeaseExpired:
        # The pair's page says the lease ran out (and the queue takes it back).
        if request.htmx:
            return HttpResponseClientRedirect(reverse("review:pair", args=[pair.public_id]))
        return _expired(request, pair, status=409)
    if request.htmx:
        revision = pair.current_revision
        revision.pair = pair  # the same row: the findings read it
        context = {
            "pair": pair,
            "revision": revision,
            "findings": revision_findings(revision=revision, viewer=request.user),
        }
        return render(request, "review/pair_findings.html#review_findings", context)
    return redirect("review:pair", public_id=pair.public_id)


def _held_page(request: HttpRequest, pair: Pair, form: DecisionForm) -> HttpResponse:
    """The page again with the form's errors, if the reviewer still holds the pair."""
    try:
        lease = lease_get(holder=request.user, kind=Kind.REVIEW, item=pair)
    except NotHeld:
        return not_held(request, what="pair", kept=_kept(form, pair))
    except LeaseExpired:
        return _expired(request, pair, form=form, status=409)
    form.focus_first_error()
    return _page(request, pair, lease, form, status=422)


@role_required(REVIEWER)
@require_POST
def heartbeat(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _pair_or_404(request, public_id)
    try:
        lease = lease_renew(holder=request.user, kind=Kind.REVIEW, item=pair)
    except NotHeld as exc:
        raise Http404("You do not hold this pair.") from exc
    except LeaseExpired:
        if request.htmx:
            return HttpResponseStopPolling(
                render(request, "review/pair.html#lease", {"pair": pair, "lease": None}).content
            )
        return _expired(request, pair)
    if request.htmx:
        return render(request, "review/pair.html#lease", {"pair": pair, "lease": lease})
    return redirect("review:pair", public_id=pair.public_id)


@role_required(REVIEWER)
@require_POST
def release(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _pair_or_404(request, public_id)
    if lease_release(holder=request.user, kind=Kind.REVIEW, item=pair):
        given_back_note(request, kind=Kind.REVIEW, item_id=pair.pk)
        messages.info(request, "You gave the pair back; it is in the queue again.")
    return redirect("review:queue")
