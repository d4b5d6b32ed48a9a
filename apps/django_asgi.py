"""Django's ASGI handler, serving the project in apps/django_project."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.django_project.settings")

app = get_asgi_application()
