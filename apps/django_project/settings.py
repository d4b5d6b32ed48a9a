"""Django settings: `django-admin startproject`'s, cut to what a hello world uses."""

# Not a secret: nothing here is signed or stored.
SECRET_KEY = "stackbench-hello-world-not-secret"

DEBUG = False

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# startproject's admin, auth, contenttypes, sessions, messages and staticfiles
# serve models, templates and static files, none of which exist here.
INSTALLED_APPS = []

# startproject's list, in its order, less three:
# - SessionMiddleware: its default (database) backend needs
#   django.contrib.sessions installed and a django_session table;
# - AuthenticationMiddleware: needs SessionMiddleware, django.contrib.auth and
#   contenttypes, and their user tables;
# - MessageMiddleware: needs django.contrib.messages, and by default stores
#   messages in the session.
# There is no database (DATABASES = {}), so none of them could do its job.
# On these two GETs they would only set up lazy objects and never touch the
# database: a deployment with logins pays that small per-request cost, this
# one does not.
# CsrfViewMiddleware stays: it needs nothing the project lacks, a normal
# deployment has it, and it runs on every request (reads the CSRF cookie,
# lets safe methods through), though it only refuses unsafe methods.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "apps.django_project.urls"

DATABASES = {}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
