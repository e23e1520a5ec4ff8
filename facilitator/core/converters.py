"""Ids in URLs: ``<int:...>`` holds what an id column can.

Every id in a URL is looked up in the database. A number past the column's
range (``/w/99999999999999999999/``) made PostgreSQL refuse the query (integer
out of range: DataError) and SQLite's driver raise OverflowError, both 500s.
Bounded here, once for every route, such a URL matches nothing: a plain 404.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest id any table holds: PostgreSQL's ``integer`` (SQLAlchemy's
#: Integer primary keys), which SQLite's 64-bit ints also hold.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter with ``max`` defaulting to :data:`MAX_ID`."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)


def register(app: Flask) -> None:
    """Use :class:`IdConverter` for ``<int:...>``; before any route is added."""
    app.url_map.converters["int"] = IdConverter
