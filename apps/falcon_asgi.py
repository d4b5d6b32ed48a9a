"""Falcon's ASGI app (falcon.asgi)."""

import falcon
import falcon.asgi

from apps.calibration import extra_cost


class PlainText:
    async def on_get(self, req, resp):
        extra_cost()
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = "Hello, World!"


class JsonMessage:
    async def on_get(self, req, resp):
        extra_cost()
        resp.media = {"message": "Hello, World!"}


app = falcon.asgi.App()
app.add_route("/", PlainText())
app.add_route("/json", JsonMessage())
