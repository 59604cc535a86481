"""The one exception the rule functions raise when they refuse a step."""


class Refused(Exception):
    """A refused step; its (lazy, translated) message is shown to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
