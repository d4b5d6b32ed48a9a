"""Litestar."""

from litestar import Litestar, MediaType, get

from apps.calibration import extra_cost


@get("/", media_type=MediaType.TEXT)
async def plaintext() -> str:
    extra_cost()
    return "Hello, World!"


@get("/json")
async def json_message() -> dict[str, str]:
    extra_cost()
    return {"message": "Hello, World!"}


app = Litestar(route_handlers=[plaintext, json_message])
