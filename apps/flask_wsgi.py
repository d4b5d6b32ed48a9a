"""Flask."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def plaintext():
    return "Hello, World!", 200, {"Content-Type": "text/plain; charset=utf-8"}


@app.get("/json")
def json_message():
    return {"message": "Hello, World!"}
