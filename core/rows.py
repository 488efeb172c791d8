"""Row-level SQL the ORM has no one-statement form for, built from the model's own fields; and id
lists cut to what one statement may bind.

`id_chunks(ids)`: a list of ids that grows with the city (every live task, every project) is read
`…__in=chunk` per IDS_PER_STATEMENT ids. With PostgreSQL's server-side binding (PG_PREPARED_STATEMENTS=1)
a statement takes at most 65 535 parameters: one `IN` of every task of a province would fail.

`insert_unless_exists(obj, unique=(…))`: `INSERT … ON CONFLICT (…) DO NOTHING RETURNING pk` (PostgreSQL,
and SQLite ≥ 3.35). `get_or_create` costs four round trips when it creates (read, savepoint, insert,
release) because a concurrent insert of the same key must not abort the caller's transaction; this is
one, and a concurrent insert of the same key makes it wait for that transaction, then skip. Columns and
values come from the model's concrete fields (`pre_save` fills auto_now fields, `get_db_prep_save`
adapts values as `Model.save` does), so a new field needs no change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.db import connections, models, router

T = TypeVar("T")
# Far below the 65 535 parameters of a statement, and large enough that a city's 20 000 tasks are a few reads.
IDS_PER_STATEMENT = 5000


def id_chunks(ids: Iterable[T]) -> Iterator[list[T]]:
    """The ids in lists of at most IDS_PER_STATEMENT, in their order (each one `…__in=` of a statement)."""
    ids = list(ids)
    size = IDS_PER_STATEMENT  # read per call: a test may lower it
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def insert_unless_exists(obj: models.Model, *, unique: Iterable[str]) -> bool:
    """Insert `obj` unless a row with the same values of the `unique` fields (a unique constraint)
    exists; True and `obj.pk` set when it inserted, False (nothing written) when the row existed."""
    meta = obj._meta
    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    quote = connection.ops.quote_name
    fields, values = [], []
    for field in meta.concrete_fields:
        value = field.pre_save(obj, add=True)
        if (field.primary_key and value is None) or hasattr(value, "resolve_expression"):
            continue  # an auto key, or a database default (db_default): the database fills it
        fields.append(field)
        values.append(field.get_db_prep_save(value, connection))
    by_name = {f.name: f for f in meta.concrete_fields}
    conflict = ", ".join(quote(by_name[name].column) for name in unique)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({conflict}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, using
    return True
