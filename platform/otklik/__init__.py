"""Otklik: the feedback platform of public authorities. `create_app()` builds the Flask app."""

from __future__ import annotations

import logging
import os

from flask import Flask, g, render_template, request, session
from flask_login import current_user, logout_user

from . import config as config_module
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config: dict | None = None) -> Flask:
    root = config_module.PROJECT_ROOT
    app = Flask(
        __name__,
        instance_path=str(config_module.INSTANCE_DIR),
        template_folder=str(root / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(config_module.from_env())
    if config:
        app.config.from_mapping(config)
    # a database error is logged without its parameters, whatever the config: they are a respondent's answers
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                                               "hide_parameters": True}
    os.makedirs(app.instance_path, exist_ok=True)

    from . import models  # noqa: F401 - registers the models with the metadata
    from .i18n import init_i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # the server-side session row decides (otklik.sessions)
    csrf.init_app(app)
    limiter.init_app(app)
    init_i18n(app, babel)

    from .plugins import get_plugin_manager

    app.extensions["otklik_plugins"] = get_plugin_manager()
    _register_input_rules(app)
    app.logger.addFilter(WithoutDatabaseDetail())
    _register_blueprints(app)
    _register_session_rules(app)
    _register_errors(app)
    _register_security_headers(app)
    _register_favicon(app)

    from .cli import register_cli

    register_cli(app)
    app._otklik_pid = os.getpid()
    return app


def _register_blueprints(app: Flask) -> None:
    from .capabilities import load
    from .jobs import CAPABILITY_TICK
    from .plugins import get_plugin_manager
    from .tenancy import reset_tenant_after_request
    from .web import CAPABILITY_VIEWS, admin, api, auth, centre, office, people, public

    # Plugin blueprints first, so a plugin can add pages under the core's prefixes.
    for plugin_name, bp in get_plugin_manager().call_flat(None, "otklik_blueprints"):
        _guard_plugin_blueprint(bp, plugin_name)
        app.register_blueprint(bp)
    capabilities = load(CAPABILITY_VIEWS)
    load(CAPABILITY_TICK)  # their tick duties: a worker's app fails to start, not its first tick
    api.register_tenant_api()
    for module in (auth, admin, centre, api, office, people):
        app.register_blueprint(module.bp)
    for module in capabilities:
        app.register_blueprint(module.bp)
    app.register_blueprint(public.bp)  # last: its /<tenant_slug>/ prefix is the widest
    app.teardown_request(reset_tenant_after_request)


def _guard_plugin_blueprint(bp, plugin_name: str) -> None:
    """A plugin's tenant pages answer 404 for tenants that did not enable the plugin."""
    from flask import abort

    if getattr(bp, "_otklik_guarded", False):
        return

    @bp.before_request
    def _only_where_enabled():
        tenant = g.get("tenant")
        if tenant is not None and plugin_name not in tenant.plugins:
            abort(404)

    bp._otklik_guarded = True


@login_manager.user_loader
def _load_user(token: str):
    """The cookie holds a server-side session's token, not a user id (otklik.sessions)."""
    from .sessions import load_user

    return load_user(token)


def _register_session_rules(app: Flask) -> None:
    """Idle timeout (PERMANENT_SESSION_LIFETIME, refreshed each request) and an absolute 12-hour cap, for signed-in
    users: sign-in makes the session permanent, and the server-side session row (otklik.sessions) enforces both
    and can be ended at any time. An anonymous visitor's session (a CSRF token, a language) stays a
    browser-session cookie that is not re-signed and re-sent on every request, which the public form's hot path
    would pay for."""
    from . import sessions  # noqa: F401 - its flush listeners end the sessions of changed passwords and removals

    @app.before_request
    def _enforce_session_lifetime():
        if session.get("_user_id") and not current_user.is_authenticated:
            logout_user()  # the session was ended, expired or sat idle: forget the cookie's contents
            session.clear()

    from .access import can, can_open, visible_nav
    from .web import labels

    labels.register(app)

    @app.context_processor
    def _globals():
        return {"current_tenant": getattr(g, "tenant", None), "office_nav": visible_nav, "can": can,
                "can_open": can_open}


def _refused_input(values) -> tuple[str, str] | None:
    """(field, U+0000) of the first text of the request that holds a character no field may hold
    (uploads.refused_character: C0 controls but tab and line breaks, a CR without LF, lone surrogates), or None.
    Looks at the URL's values, the query string, the form (and the names of uploaded files) and JSON bodies."""
    from .uploads import refused_character

    def check(field: str, value) -> tuple[str, str] | None:
        if isinstance(value, str):
            code = refused_character(field) or refused_character(value)
            return (field, code) if code else None
        if isinstance(value, dict):
            for key, item in value.items():
                found = check(f"{field}.{key}" if field else str(key), item)
                if found:
                    return found
        elif isinstance(value, list):
            for i, item in enumerate(value):
                found = check(f"{field}[{i}]", item)
                if found:
                    return found
        return None

    for name, value in (values or {}).items():
        if found := check(name, value):
            return found
    for source in (request.args, request.form):
        for name, items in source.lists():
            if found := check(name, items if len(items) > 1 else items[0]):
                return found
    for name, upload in request.files.items(multi=True):
        if found := check(name, upload.filename or ""):
            return found
    if request.is_json:
        return check("", request.get_json(silent=True))
    return None


class WithoutDatabaseDetail(logging.Filter):
    """A database error goes to the log without what it was given: its parameters are hidden already
    (hide_parameters), and its DETAIL and CONTEXT lines, where PostgreSQL repeats the failing row ("Failing row
    contains (...)": a respondent's answers), are cut here. The error's first line, its SQL and the traceback
    stay; the driver's exception, which carries the same lines, is not chained in."""

    def filter(self, record: logging.LogRecord) -> bool:
        from sqlalchemy.exc import DBAPIError

        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, DBAPIError):
            lines = str(exc).splitlines()
            kept = [line for line in lines if not line.lstrip().startswith(("DETAIL:", "CONTEXT:", "HINT:"))]
            redacted = DatabaseErrorWithoutDetail("\n".join(kept))
            redacted.__suppress_context__ = True
            record.exc_info = (DatabaseErrorWithoutDetail, redacted, record.exc_info[2])
            record.exc_text = None
        return True


class DatabaseErrorWithoutDetail(Exception):
    """What the log keeps of a database error (WithoutDatabaseDetail)."""


def _register_input_rules(app: Flask) -> None:
    """One check of every request's text before any view, form or query sees it: a NUL (which PostgreSQL refuses,
    a 500 before) or another control character answers 400 naming the field, as a page or as JSON under /api/.
    An app-level URL value preprocessor, because those run first: before the tenant blueprints' preprocessors
    look the slug up in the database and before every before_request function."""
    from flask_babel import gettext
    from werkzeug.exceptions import BadRequest

    from .uploads import visible

    @app.url_value_preprocessor
    def _refuse_control_characters(_endpoint, values):
        found = _refused_input(values)
        if found:
            field, char = found
            raise BadRequest(gettext("The field «%(field)s» holds a character that cannot be in text (%(char)s): "
                                     "remove it and send again.", field=visible(field[:100]), char=char))


# Every response: scripts, styles, images, fonts and fetches from this site only (no inline script, style or
# style attribute: they live in static/ files), forms posted here only, never framed. docs/ARCHITECTURE.md.
CONTENT_SECURITY_POLICY = ("default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


def _register_security_headers(app: Flask) -> None:
    """The same headers on every kind of response (pages, CSV, XLSX, JSON, static files, errors); a view may set
    its own. HSTS only when cookies are Secure (OTKLIK_SECURE_COOKIES=1): that says the site is served over HTTPS."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = HSTS

    @app.after_request
    def _security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response


def _register_favicon(app: Flask) -> None:
    """Browsers ask for /favicon.ico whatever the page says: answer it from static/ rather than 404 each time."""

    @app.route("/favicon.ico")
    def favicon():
        return app.send_static_file("favicon.ico")


def _register_errors(app: Flask) -> None:
    def page(code: int):
        def handler(exc):
            if request.path.startswith("/api/"):
                return {"error": getattr(exc, "description", str(exc)), "status": code}, code
            return render_template("errors.html", code=code, error=exc, error_page=True), code

        return handler

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, page(code))

    from flask_babel import gettext
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(500)
    def _internal(exc):
        """An unexpected error (Flask logged it first, without database detail): the API answers JSON, a page the
        site's error page; the failed transaction is rolled back first, so the page can still read the user."""
        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": gettext("Something went wrong."), "status": 500}, 500
        return render_template("errors.html", code=500, error=exc, error_page=True), 500

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        message = gettext("The form has expired or was not sent from this site. Reload the page and send it again.")
        if request.path.startswith("/api/"):
            return {"error": message, "status": 400}, 400
        return render_template("errors.html", code=400, error=exc, message=message, error_page=True), 400
