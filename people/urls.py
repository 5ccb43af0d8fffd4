from django.urls import path

from people.views import invites, profile

app_name = "people"

urlpatterns = [
    path("people/invite/", invites.invite, name="invite"),
    path("people/profile/", profile.profile, name="profile"),
    # The path invitation mails have always carried.
    path("invite/<uidb64>/<token>/", invites.accept_invite, name="accept_invite"),
]
