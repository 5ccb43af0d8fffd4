from django.urls import path

from annotation.views import home

app_name = "annotation"

urlpatterns = [
    path("", home.home, name="home"),
]
