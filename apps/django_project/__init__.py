"""Django: the project behind apps/django_wsgi.py and apps/django_asgi.py."""
