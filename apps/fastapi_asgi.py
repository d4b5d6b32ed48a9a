"""FastAPI."""

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from apps.calibration import extra_cost

app = FastAPI()


@app.get("/", response_class=PlainTextResponse)
async def plaintext():
    extra_cost()
    return "Hello, World!"


@app.get("/json")
async def json_message():
    extra_cost()
    return {"message": "Hello, World!"}
