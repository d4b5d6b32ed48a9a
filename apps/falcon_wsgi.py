"""Falcon's WSGI app."""

import falcon


class PlainText:
    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class JsonMessage:
    def on_get(self, req, resp):
        resp.media = {"message": "Hello, World!"}


app = falcon.App()
app.add_route("/", PlainText())
app.add_route("/json", JsonMessage())
