"""The contributors' leaderboard, at /leaderboard/: outside /review/, which is reviewers'."""

from django.urls import path

from review.views import insights

app_name = "leaderboard"

urlpatterns = [
    path("", insights.leaderboard_index, name="index"),
    path("<slug:slug>/", insights.leaderboard_page, name="board"),
]
