"""Responder, as a fresh project writes it (its session middleware included)."""

import responder

from apps.calibration import extra_cost

# No static folder: responder 2 creates ./static on import unless static_dir=None,
# and then wants static=False on each route.
app = responder.API(static_dir=None)


@app.route("/", static=False)
async def plaintext(req, resp):
    extra_cost()
    resp.text = "Hello, World!"


@app.route("/json", static=False)
async def json_message(req, resp):
    extra_cost()
    resp.media = {"message": "Hello, World!"}
