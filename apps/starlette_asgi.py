"""Starlette."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from apps.calibration import extra_cost


async def plaintext(request):
    extra_cost()
    return PlainTextResponse("Hello, World!")


async def json_message(request):
    extra_cost()
    return JSONResponse({"message": "Hello, World!"})


app = Starlette(routes=[Route("/", plaintext), Route("/json", json_message)])
