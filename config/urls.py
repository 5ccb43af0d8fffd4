from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_POST

urlpatterns = [
    # allauth's sign-in and sign-out under the names the rest of the site uses; the same
    # paths are allauth's account_login and account_logout (below).
    path("login/", account_views.login, name="login"),
    # Signing out changes state, so only a POST does it (allauth would answer a GET with a
    # confirmation page).
    path("logout/", require_POST(account_views.logout), name="logout"),
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("leaderboard/", include("review.urls_leaderboard")),
    path("releases/", include("exports.urls")),
    path("", include("people.urls")),
    # login/, logout/, signup/, confirm-email/, password/..., email/, and with company SSO
    # oidc/<provider>/login/: at the root, where sign-in and sign-up have always been.
    path("", include("allauth.urls")),
    path("", include("annotation.urls")),
]

handler400 = "config.errors.bad_request"
