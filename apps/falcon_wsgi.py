"""Falcon's WSGI app."""

import falcon

from apps.calibration import extra_cost


class PlainText:
    def on_get(self, req, resp):
        extra_cost()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class JsonMessage:
    def on_get(self, req, resp):
        extra_cost()
        resp.media = {"message": "Hello, World!"}


app = falcon.App()
app.add_route("/", PlainText())
app.add_route("/json", JsonMessage())
