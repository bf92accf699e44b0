from werkzeug.routing import BaseConverter, ValidationError


class IdConverter(BaseConverter):
    """A database id: 1 to 2^31-1. Anything else is a 404, never a database error."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > 2**31 - 1:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
