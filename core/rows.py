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

`select_rows(sql, params, columns)`: a hand-written SELECT on a hot path, its values converted as the
ORM converts them. Compiling a queryset costs ~0.3–0.6 ms of Django work per call whatever its size;
the reads every API call or list page makes with one fixed shape (the bearer token, a page's co-units,
milestones and areas) are written once as SQL from the models' own tables and columns
(docs/performance.md, "Fixed-shape reads").

`ids_condition(column, ids)`: "column is one of these ids" as one array parameter on PostgreSQL
(`= ANY(%s)`): one statement text for any number of ids, so it is prepared once, and no limit of
65 535 parameters; `IN (…)` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Col

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


def ids_condition(column: str, ids: Sequence[int], connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
    """SQL and parameters for "`column` (already quoted) is one of `ids`"; an empty list matches nothing."""
    if not ids:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [[int(pk) for pk in ids]]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", [int(pk) for pk in ids]


def field(model: type[models.Model], name: str) -> models.Field:
    """The model's concrete field of this name (a foreign key by its name, e.g. "task")."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), name
    return found


def column(model: type[models.Model], name: str, connection: BaseDatabaseWrapper) -> str:
    """The field's column qualified by the model's table, quoted: `"plans_milestone"."task_id"`."""
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(field(model, name).column)}"


def columns_sql(model: type[models.Model], connection: BaseDatabaseWrapper, table: str = "") -> tuple[str, list]:
    """The model's concrete columns qualified by `table` (default its own table), and their fields."""
    quote = connection.ops.quote_name
    prefix = quote(table or model._meta.db_table)
    fields = list(model._meta.concrete_fields)
    return ", ".join(f"{prefix}.{quote(f.column)}" for f in fields), fields


M = TypeVar("M", bound=models.Model)
_converters: dict[tuple[str, tuple], list] = {}


def _converters_for(connection: BaseDatabaseWrapper, columns: Sequence[models.Field | None]) -> list:
    key = (connection.alias, tuple(columns))
    found = _converters.get(key)
    if found is None:
        found = []
        for i, target in enumerate(columns):
            if target is None:
                continue
            # What SQLCompiler.get_converters collects for a column: the backend's (aware datetimes,
            # booleans, quantized decimals on SQLite), then the field's own.
            expression = Col(target.model._meta.db_table, target)
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
            if functions:
                found.append((i, expression, functions))
        _converters[key] = found
    return found


def select_rows(
    sql: str, params: Sequence[Any], columns: Sequence[models.Field | None], *, using: str = "default"
) -> list[tuple]:
    """Run a SELECT whose result columns are `columns` (model fields; None for a computed column left as
    the driver returns it) and return its rows with each value converted as the ORM would."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters_for(connection, columns)
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, expression, functions in converters:
            value = values[i]
            for function in functions:
                value = function(value, expression, connection)
            values[i] = value
        converted.append(tuple(values))
    return converted


def instance(model: type[M], values: Sequence[Any], using: str = "default") -> M:
    """A model instance from its concrete fields' converted values, in field order (as the ORM loads one)."""
    return model.from_db(using, [f.attname for f in model._meta.concrete_fields], list(values))
