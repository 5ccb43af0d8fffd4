from django.urls import path

from review.views import edits, insights, moderation, pair, queue

app_name = "review"

urlpatterns = [
    # Review queue
    path("", queue.queue, name="queue"),
    path("next/", queue.next_pair, name="next"),
    path("pairs/<uuid:public_id>/", pair.pair_page, name="pair"),
    path("pairs/<uuid:public_id>/decide/", pair.decide, name="decide"),
    path(
        "pairs/<uuid:public_id>/findings/<int:pk>/confirm/",
        pair.confirm_finding,
        name="confirm_finding",
    ),
    path("pairs/<uuid:public_id>/lease/", pair.heartbeat, name="heartbeat"),
    path("pairs/<uuid:public_id>/release/", pair.release, name="release"),
    # Edit queue
    path("edits/", edits.edit_queue, name="edits"),
    path("edits/next/", edits.edit_next, name="edit_next"),
    path("edits/<uuid:public_id>/", edits.edit_page, name="edit"),
    path("edits/<uuid:public_id>/decide/", edits.edit_decide, name="edit_decide"),
    path("edits/<uuid:public_id>/lease/", edits.edit_heartbeat, name="edit_heartbeat"),
    path("edits/<uuid:public_id>/release/", edits.edit_release, name="edit_release"),
    # Admin moderation
    path("moderate/", moderation.moderate, name="moderate"),
    path("moderate/pairs.csv", moderation.moderate_csv, name="moderate_csv"),
    path("moderate/bulk/", moderation.moderate_bulk, name="moderate_bulk"),
    path(
        "moderate/bulk/<uuid:public_id>/",
        moderation.moderate_bulk_result,
        name="moderate_bulk_result",
    ),
    path("moderate/<uuid:public_id>/", moderation.moderate_pair, name="moderate_pair"),
    path("moderate/<uuid:public_id>/reopen/", moderation.moderate_reopen, name="moderate_reopen"),
    path(
        "moderate/<uuid:public_id>/retract/", moderation.moderate_retract, name="moderate_retract"
    ),
    # Insights (the leaderboard, for contributors, is in review/urls_leaderboard.py)
    path("insights/", insights.insights_index, name="insights_index"),
    path("insights/<slug:slug>/", insights.insights, name="insights"),
    path("insights/<slug:slug>/data.json", insights.insights_json, name="insights_json"),
]
