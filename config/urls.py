from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.http import require_POST

from people.views import accounts

# Registered here rather than at start-up (config/admin_app.py).
admin.autodiscover()

urlpatterns = [
    # allauth's sign-in and sign-out under the names the rest of the site uses; the same
    # paths are allauth's account_login and account_logout (below).
    path("login/", accounts.login, name="login"),
    # Signing out changes state, so only a POST does it (allauth would answer a GET with a
    # confirmation page).
    path("logout/", require_POST(account_views.logout), name="logout"),
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("leaderboard/", include("review.urls_leaderboard")),
    path("releases/", include("exports.urls")),
    path("", include("people.urls")),
    # allauth's forms on allauth's paths, answering 422 when invalid (people/views/accounts.py).
    path("signup/", accounts.signup, name="account_signup"),
    path("password/change/", accounts.password_change, name="account_change_password"),
    path("password/set/", accounts.password_set, name="account_set_password"),
    path("password/reset/", accounts.password_reset, name="account_reset_password"),
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        accounts.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    # login/, logout/, signup/, confirm-email/, password/..., email/, and with company SSO
    # oidc/<provider>/login/: at the root, where sign-in and sign-up have always been.
    path("", include("allauth.urls")),
    path("", include("annotation.urls")),
]

handler400 = "config.errors.bad_request"
