"""`python -m config`: print the settings table; `--write-docs` puts it into docs/operations.md."""

import sys

from .settings import DOCS, docs_with_table, settings_table

if sys.argv[1:] == ["--write-docs"]:
    DOCS.write_text(docs_with_table(DOCS.read_text(encoding="utf-8")), encoding="utf-8")
else:
    print(settings_table())
