"""Django URLconf."""

from django.urls import path

from apps.django_project import views

urlpatterns = [
    path("", views.plaintext),
    path("json", views.json_message),
]
