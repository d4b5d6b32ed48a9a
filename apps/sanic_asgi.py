"""Sanic, served through its ASGI interface by the server under test."""

from sanic import Sanic
from sanic.response import json, text

# Sanic wants a name of letters, digits, "_" and "-".
app = Sanic("hello_world")


@app.get("/")
async def plaintext(request):
    return text("Hello, World!")


@app.get("/json")
async def json_message(request):
    return json({"message": "Hello, World!"})
