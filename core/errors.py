"""Domain errors raised by services and turned into field errors or API responses by views."""


class ServiceError(Exception):
    """A refused write: message is for the user (already translated), field names the form field."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
