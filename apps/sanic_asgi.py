"""Sanic, served through its ASGI interface by the server under test."""

from sanic import Sanic
from sanic.response import json, text

from apps.calibration import extra_cost

# Sanic wants a name of letters, digits, "_" and "-".
app = Sanic("hello_world")


@app.get("/")
async def plaintext(request):
    extra_cost()
    return text("Hello, World!")


@app.get("/json")
async def json_message(request):
    extra_cost()
    return json({"message": "Hello, World!"})
