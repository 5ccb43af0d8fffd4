from django.urls import path, register_converter

from exports import views


class ReleaseRef:
    """A release in a URL: ``v3`` once it has a version, its id (``12``) before."""

    regex = "v?[0-9]{1,18}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(ReleaseRef, "release")

app_name = "exports"

urlpatterns = [
    path("", views.dataset_list, name="datasets"),
    path("<slug:slug>/", views.release_list, name="releases"),
    path("<slug:slug>/<release:ref>/", views.release_detail, name="release"),
    path("<slug:slug>/<release:ref>/restart/", views.restart, name="restart"),
    path("<slug:slug>/<release:ref>/files/<path:name>", views.download, name="file"),
    path("<slug:slug>/<release:ref>/download.zip", views.download_zip, name="zip"),
]
