"""The repository layout that keeps the standard library importable."""

import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_standard_library_platform_is_the_one_imported():
    import otklik  # noqa: F401 - importing the core must not shadow it

    assert Path(platform.__file__).parent == Path(sys.modules["os"].__file__).parent
    assert callable(platform.python_version)


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert not list((ROOT / "platform").glob("*.py"))


def test_top_level_layout():
    for name in ("platform/otklik", "plugins", "tenants", "migrations", "templates", "tests", "bench", "docs",
                 "worker.py", "wsgi.py", "docker-compose.yml", "Makefile", "pyproject.toml", "README.md"):
        assert (ROOT / name).exists(), name


def test_pandas_and_sqlalchemy_import_beside_the_core():
    import pandas
    import sqlalchemy

    import otklik  # noqa: F401

    assert pandas.DataFrame({"a": [1]}).shape == (1, 1)
    assert sqlalchemy.__version__
