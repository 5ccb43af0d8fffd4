from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.dataset_list, name="datasets"),
]
