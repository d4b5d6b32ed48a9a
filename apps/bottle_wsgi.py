"""Bottle."""

from bottle import Bottle, response

from apps.calibration import extra_cost

app = Bottle()


@app.get("/")
def plaintext():
    extra_cost()
    response.content_type = "text/plain; charset=utf-8"
    return "Hello, World!"


@app.get("/json")
def json_message():
    extra_cost()
    return {"message": "Hello, World!"}
