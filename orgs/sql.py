"""Fixed queries of the pages read most, written in SQL, their values read as the ORM would.

The ORM takes ten to twenty times longer to compile a query of a few joins (0.3 to 0.6 ms)
than SQLite or PostgreSQL take to run it, and the organization page runs a dozen. Its
queries whose shape never changes are written here in SQL once, naming tables by the
models' `db_table`, their parameters always passed apart, never formatted in. A column of a
type the database hands back in its own form (dates and times as text in SQLite, JSON as
text in both) goes through the model field's own converters (`column`).
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of the query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def table(model: type[Model]) -> str:
    """The model's table, quoted for the database."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field_name: str) -> Callable[[Any], Any]:
    """What turns a value of this field, as the database gave it, into what the ORM would
    have read (a date, a time with its zone, a list from JSON): the database backend's
    converters, then the field's."""
    col = model._meta.get_field(field_name).get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, col, connection)
        return value

    return convert
