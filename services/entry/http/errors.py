"""A query parameter the server refuses: 400 in the one error body (the app's handler), naming it."""
from __future__ import annotations


class BadParameter(Exception):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field, reason


def checked(field: str, parse, value):
    """`parse(value)`, or BadParameter naming `field` with the parser's reason."""
    try:
        return parse(value)
    except ValueError as error:
        raise BadParameter(field, str(error)) from None
