"""Flask."""

from flask import Flask

from apps.calibration import extra_cost

app = Flask(__name__)


@app.get("/")
def plaintext():
    extra_cost()
    return "Hello, World!", 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/json")
def json_message():
    extra_cost()
    return {"message": "Hello, World!"}
