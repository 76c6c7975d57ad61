"""Russian first, English available. Catalogs are .po files beside each capability, compiled on start.

Each capability keeps its own `translations/` folder (so parallel work never edits one shared catalog);
Flask-Babel merges every folder listed in BABEL_TRANSLATION_DIRECTORIES.
"""

from __future__ import annotations

from pathlib import Path

from flask import request, session

PACKAGE = Path(__file__).resolve().parent


def translation_dirs() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("translations") if p.is_dir())


def compile_catalogs(dirs: list[Path]) -> None:
    """Compile each messages.po to .mo when the .mo is missing or older (no build step to forget)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for d in dirs:
        for po in d.glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name)
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as f:
                write_mo(f, catalog)
            tmp.replace(mo)


def select_locale() -> str:
    """The language of a request: ?lang=, then the session; outside a request (jobs, commands) the default."""
    from flask import current_app, has_request_context

    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    langs = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in langs:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str | None:
    """The zone times are shown in: the authority's own (its profile's `timezone`, the zone its periods and
    deadlines are computed in) on its pages and in its jobs; elsewhere (admin, Analytical Centre) the default."""
    from .tenancy import get_current_tenant

    tenant = get_current_tenant()
    return tenant.timezone if tenant is not None else None


def init_i18n(app, babel) -> None:
    dirs = translation_dirs()
    compile_catalogs(dirs)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in dirs)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    import flask_babel

    for name in ("format_date", "format_datetime", "format_decimal", "format_percent", "format_timedelta"):
        app.jinja_env.filters[name] = getattr(flask_babel, name)
    app.jinja_env.filters["format_number"] = flask_babel.format_decimal
    app.jinja_env.globals["get_locale"] = flask_babel.get_locale
