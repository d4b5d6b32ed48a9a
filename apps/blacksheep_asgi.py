"""BlackSheep."""

from blacksheep import Application, json, text

from apps.calibration import extra_cost

app = Application()


@app.router.get("/")
async def plaintext():
    extra_cost()
    return text("Hello, World!")


@app.router.get("/json")
async def json_message():
    extra_cost()
    return json({"message": "Hello, World!"})
