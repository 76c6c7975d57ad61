"""Entry point of the web process: `gunicorn wsgi:app`."""

from otklik import create_app

app = create_app()
