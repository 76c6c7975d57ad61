"""Package layout only (metadata is in pyproject.toml).

The core package sits in platform/otklik (platform/ itself must never be a package: it would shadow the
standard library's `platform`), and the built-in plugins in plugins/, imported as `otklik_plugins`.
"""

from setuptools import find_packages, setup

setup(
    package_dir={"": "platform", "otklik_plugins": "plugins"},
    packages=find_packages("platform", include=["otklik", "otklik.*"]) + ["otklik_plugins"],
    include_package_data=True,
    package_data={"otklik": ["**/*.po", "static/**/*", "**/*.json", "**/*.txt"]},
)
