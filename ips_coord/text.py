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


def text_to_json(text: str) -> dict[str, object]:
    """A message as JSON, to be stored and translated when it is read (a `Text` keeps its msgid
    and parameters, its Figures their number format); a plain string is kept as it is."""
    if not isinstance(text, Text):
        return {"msgid": str(text), "params": {}}
    params = {
        name: ({"figure": v.value, "digits": v.digits, "percent": v.percent} if isinstance(v, Figure) else v)
        for name, v in text.params.items()
    }
    return {"msgid": text.msgid, "params": params}


def text_from_json(data: dict[str, object] | None) -> Text | None:
    if not data:
        return None
    raw = data.get("params") or {}
    params = {
        name: (Figure(v["figure"], v["digits"], v["percent"]) if isinstance(v, dict) and "figure" in v else v)
        for name, v in (raw.items() if isinstance(raw, dict) else ())
    }
    return Text(str(data["msgid"]), **params)


__all__ = ["Figure", "Text", "text_from_json", "text_to_json"]
