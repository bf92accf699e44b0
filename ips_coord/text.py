"""Messages that are translated where they are shown, not where they are made.

`Text` is an English message (a plain `str`, so logs, the API and tests can use it as is) that
also keeps its catalogue msgid and parameters. Layers that must not depend on Flask-Babel
(reports/, services/) build `Text`; the pages translate it at the view boundary with
`ips_coord.i18n.translate` (the `t` filter in templates). babel extracts `_` calls, so modules
that make `Text` import it as `_` to keep their msgids in the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass


class Text(str):
    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Text:
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self):  # copies and pickles keep the msgid
        return _rebuild, (self.msgid, self.params)


@dataclass(frozen=True)
class Figure:
    """A number inside a message. Its `str` is plain English digits (logs, tests); where the
    message is translated it is formatted for the reader's locale (4,5 and 42 % in Danish)."""

    value: float
    digits: int = 1
    percent: bool = False

    def __str__(self) -> str:
        text = f"{self.value:.{self.digits}f}"
        return f"{text}%" if self.percent else text


def _rebuild(msgid: str, params: dict[str, object]) -> Text:
    return Text(msgid, **params)


__all__ = ["Figure", "Text"]
