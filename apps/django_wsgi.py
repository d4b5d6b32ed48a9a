"""Django's WSGI handler, serving the project in apps/django_project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apps.django_project.settings")

app = get_wsgi_application()
