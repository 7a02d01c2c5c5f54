"""The command line: click commands that parse, call the API, write and print.

`base.py` holds what every command shares (the `main` group, errors and exit codes,
`--library`, LibreOffice, writing and printing); each command group is a module of its
own: `company.py` (check, manual, absorb, batch, forms, status, init, policy),
`submission.py` (package, summary), `library.py` (NSNY's library commands), `serve.py`
(serve, office, demo), `portal.py` (the hosted portal). Importing them registers their
commands on `main`.
"""

from __future__ import annotations

from manualgen.cli import company, library, portal, serve, submission  # noqa: F401 - registers
from manualgen.cli.base import main, user_cache

__all__ = ["main", "user_cache"]
