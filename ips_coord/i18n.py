"""Locale choice: ?lang=, then (API) Accept-Language, then the user's stored locale, then Danish."""

from typing import Any

from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked is not None and asked in languages:
        return asked
    if request.path.startswith("/api/") and request.accept_languages:
        # An API client says per request which language it wants its messages in.
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate(text: Any) -> Any:
    """A `Text` (or any message string) in the request's language; other values unchanged."""
    from flask_babel import gettext

    from .text import Text

    if isinstance(text, Text):
        return gettext(text.msgid, **{name: _shown(value) for name, value in text.params.items()})
    if isinstance(text, str) and text:
        return gettext(text)
    return text


def _shown(value):
    """A message parameter as the reader sees it: a Figure in the locale's number format."""
    from .text import Figure

    if isinstance(value, Figure):
        return percent(value.value, value.digits) if value.percent else decimal(value.value, value.digits)
    return value


def current_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "da")


def decimal(value, digits: int = 1) -> str:
    """38,6 in Danish (at most `digits` decimals; Babel, the request's locale)."""
    from babel.numbers import format_decimal

    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "#" * digits, locale=current_locale())


def percent(value, digits: int = 1) -> str:
    """A figure already in percent (38.6) as 38,6 % in Danish."""
    from babel.numbers import format_percent

    if value is None:
        return "–"
    sign = "\u00a0%" if current_locale().startswith("da") else "%"  # Danish: 38,6 % (a space that never wraps)
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + sign
    return format_percent(float(value) / 100, format=pattern, locale=current_locale())


def _request_translations():
    """The request's catalogue, looked up once per request and locale: Flask-Babel's own lookup
    (context, domain, locale and its name as the cache key) costs more than the translation, and
    a page calls it a few hundred times. A forced locale (an e-mail in the recipient's language)
    is another Locale object, so it gets its own lookup."""
    from flask import g
    from flask_babel import get_locale, get_translations

    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None) if ctx is not None else None
    if locale is None:
        locale = get_locale()  # selects it (and makes the context) on the request's first call
        ctx = g.get("_flask_babel") if g else None
    if ctx is None:
        return get_translations()
    cached = getattr(ctx, "ips_translations", None)
    if cached is None or cached[0] is not locale:
        cached = (locale, get_translations())
        ctx.ips_translations = cached
    return cached[1]


# Every rendered page's context carries its catalogue under this name, looked up once per render
# (install_template_gettext): reaching it through the request's context costs ~2 us a call.
RENDER_TRANSLATIONS = "_ips_translations"


def _template_gettext():
    """Templates' _() and {% trans %}: Jinja's own goes through two wrappers and formats the
    string on every call; a page calls it ~100 times, mostly with the same few sentences. A
    sentence without variables is translated, escaped and formatted once per catalogue."""
    from jinja2 import pass_context
    from markupsafe import Markup

    @pass_context
    def gettext(context, string, /, **variables):
        # The render's catalogue from its context (a dict look-up) when the page has it there,
        # else the request's (a macro imported without context has none).
        translations = context.get(RENDER_TRANSLATIONS) or _request_translations()
        if variables or not context.eval_ctx.autoescape:
            said = translations.ugettext(string)
            return (Markup(said) if context.eval_ctx.autoescape else said) % variables  # noqa: S704  (the catalogue, as Jinja trusts it; variables are escaped by %)
        shown = translations.__dict__.setdefault("_ips_template_words", {})
        word = shown.get(string)
        if word is None:
            word = shown[string] = Markup(translations.ugettext(string)) % {}  # noqa: S704  (the catalogue)
        return word

    return gettext


def install_template_gettext(app) -> None:
    """Templates' _() and ngettext() through _request_translations (after babel.init_app)."""
    from flask_babel import get_translations

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )
    # `_` is Jinja's alias that calls `gettext` through the context once more: both are this one.
    gettext = _template_gettext()
    app.jinja_env.globals.update(gettext=gettext, _=gettext)
    app.context_processor(lambda: {RENDER_TRANSLATIONS: _request_translations()})
