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


def test_the_no_view_contracts_name_every_view_module():
    """import-linter's wildcard stands for a whole module name, so `otklik.*.views` misses `bulk_views` and the
    like: each view module of a capability must match a forbidden pattern of the contracts that keep results and
    plugins away from pages (a new one missing here would leave them unguarded)."""
    import fnmatch
    import tomllib

    contracts = {c["id"]: c for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
                 ["contracts"]}
    views = sorted("otklik." + ".".join(p.relative_to(ROOT / "platform" / "otklik").with_suffix("").parts)
                   for p in (ROOT / "platform" / "otklik").glob("*/*views.py"))
    assert "otklik.painmap.bulk_views" in views
    for contract in ("results-no-web", "plugins-no-web"):
        patterns = [m.replace("*", "[!.]*") for m in contracts[contract]["forbidden_modules"]]
        missing = [v for v in views if not any(fnmatch.fnmatchcase(v, p) for p in patterns)]
        assert not missing, f"{contract}: add these view modules to its forbidden_modules: {missing}"
