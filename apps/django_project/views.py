"""Django views: plain sync views (under ASGI, Django runs them in a thread)."""

from django.http import HttpResponse, JsonResponse

from apps.calibration import extra_cost


def plaintext(request):
    extra_cost()
    return HttpResponse("Hello, World!", content_type="text/plain; charset=utf-8")


def json_message(request):
    extra_cost()
    return JsonResponse({"message": "Hello, World!"})
