"""Quart."""

from quart import Quart

from apps.calibration import extra_cost

app = Quart(__name__)


@app.get("/")
async def plaintext():
    extra_cost()
    return "Hello, World!", 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/json")
async def json_message():
    extra_cost()
    return {"message": "Hello, World!"}
