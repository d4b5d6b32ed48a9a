"""Molten, WSGI only. It declares typing-extensions<4 and runs with 4.x (registry.OVERRIDES)."""

from molten import HTTP_200, App, Response, Route

from apps.calibration import extra_cost


def plaintext():
    extra_cost()
    return Response(
        HTTP_200, content="Hello, World!", headers={"content-type": "text/plain; charset=utf-8"}
    )


def json_message():
    extra_cost()
    return {"message": "Hello, World!"}


app = App(routes=[Route("/", plaintext), Route("/json", json_message)])
