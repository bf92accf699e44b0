"""Build hook: the wheel carries what the running app needs but git does not hold.

- the compiled translation catalogues (`*.mo` are build products, not committed), so an
  installed package speaks Danish;
- the Alembic migrations, which live beside the package in the repository, copied into
  `ips_coord/migrations` so `flask db upgrade` works from an installed package.

Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import pathlib
import shutil

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = pathlib.Path(__file__).parent


def compile_catalogues(translations: pathlib.Path, target: pathlib.Path) -> None:
    """Compile every `<lang>/LC_MESSAGES/*.po` under `translations` into `target` (same layout)."""
    for po_path in sorted(translations.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path = target / po_path.relative_to(translations).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=True)  # as `make translations` does


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        translations = ROOT / "ips_coord" / "translations"
        if self.editable_mode:
            # An editable install imports from the checkout: compile in place, migrations stay put.
            compile_catalogues(translations, translations)
            return
        package = pathlib.Path(self.build_lib) / "ips_coord"
        compile_catalogues(translations, package / "translations")
        shutil.copytree(
            ROOT / "migrations",
            package / "migrations",
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )


setup(cmdclass={"build_py": BuildPy})
