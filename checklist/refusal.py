"""The one exception the rule functions raise when they refuse a step."""


class Refused(Exception):
    """A refused step; its (lazy, translated) message is shown to the user.

    ``field`` names the refused value when there is one (``hazard.description``), so that a form can show
    the message beside it and the API can name it; ``code`` is "forbidden" when the user may not do this.
    """

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message, self.field, self.code = message, field, code
