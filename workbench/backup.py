"""Backup and restore of the database and the stored files (`manage.py backup`, `manage.py restore`).

A backup is a directory:

- `database.dump` (PostgreSQL, `pg_dump` custom format) or `database.sqlite3` (SQLite online backup API);
- `files/<name>`: every file a row refers to (FileFields of every model), read through the storage API;
- `manifest.json`: row counts per table, sha256 and size of each file and of the database file, the
  audit chain head rows (one per chain), the applied migrations, when and by which Luoshi version it was made.

Consistency: the counts, the file list and the audit heads are read from the same snapshot the
database copy holds (PostgreSQL: a REPEATABLE READ transaction whose snapshot `pg_dump --snapshot`
shares; SQLite: read from the copy itself). Stored files are never rewritten in place (an upload
gets a new name), so copying them after the snapshot gives the files that snapshot refers to.

Restore goes into an empty database and an empty storage (or, with force, over what is there),
then checks the result against the manifest: counts, file hashes, audit heads, and `audit_verify`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connections, models, transaction

FORMAT = 1
MANIFEST = "manifest.json"
FILES_DIR = "files"
DUMP = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class RestoreReport:
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    files: int = 0
    audit: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


# --- shared ---------------------------------------------------------------------------------------


def luoshi_version() -> str:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_fields() -> list[tuple[str, str]]:
    """(table, column) of every FileField (ImageField included) of every installed model."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                found.append((model._meta.db_table, f.column))
    return sorted(set(found))


def _snapshot_facts(cursor, quote: Callable[[str], str], tables: list[str]) -> dict[str, Any]:
    """Counts per table, referenced file names, audit head rows and migrations, read through one cursor."""
    from audit.models import AuditChainHead

    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  (names from introspection)
        counts[table] = cursor.fetchone()[0]
    names: set[str] = set()
    for table, column in _file_fields():
        if table in counts:
            cursor.execute(f"SELECT DISTINCT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")  # noqa: S608
            names.update(row[0] for row in cursor.fetchall() if row[0])
    heads: list[dict[str, Any]] = []
    head_table = AuditChainHead._meta.db_table
    if head_table in counts:
        # The whole rows, one per chain, whatever columns a chain head has (a key id may join the hash later).
        cursor.execute(f"SELECT * FROM {quote(head_table)} ORDER BY id")  # noqa: S608
        columns = [c[0] for c in cursor.description]
        heads = [
            {c: (str(v) if v is not None else None) for c, v in zip(columns, row, strict=True)}
            for row in cursor.fetchall()
        ]
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    return {"tables": counts, "file_names": sorted(names), "audit_heads": heads, "migrations": migrations}


# --- backup ---------------------------------------------------------------------------------------


def backup(out: Path, *, database: str = "default", storage: str = "default", log=print) -> dict:
    """Write a backup of `database` and the files `storage` holds for it into the new directory `out`."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} 不是空目录：请指定一个新的或空的备份目录。")
    out.mkdir(parents=True, exist_ok=True)
    connection = connections[database]
    vendor = connection.vendor
    if vendor not in DUMP:
        raise BackupError(f"不支持的数据库类型：{vendor}（支持 PostgreSQL 与 SQLite）。")
    dump = out / DUMP[vendor]
    if vendor == "postgresql":
        facts = _backup_postgresql(connection, dump)
    else:
        facts = _backup_sqlite(connection, dump)
    log(f"database: {dump.name} ({dump.stat().st_size} bytes, {sum(facts['tables'].values())} rows)")
    files, missing = _copy_files_out(storages[storage], facts.pop("file_names"), out / FILES_DIR)
    for name in missing:
        log(f"warning: a row refers to {name}, which the storage does not have")
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "luoshi_version": luoshi_version(),
        "database": {"vendor": vendor, "file": dump.name, "sha256": _sha256_file(dump), "size": dump.stat().st_size},
        **facts,
        "files": files,
        "missing_files": missing,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"files: {len(files)} ({sum(f['size'] for f in files.values())} bytes); manifest: {out / MANIFEST}")
    return manifest


def _pg_conninfo(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", settings_dict["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败（退出码 {result.returncode}）：{result.stderr.strip()[:2000]}")


def _backup_postgresql(connection, dump: Path) -> dict:
    args, env = _pg_conninfo(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # One snapshot for pg_dump and for the manifest's counts: rows written meanwhile are in neither.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", "--snapshot", snapshot, "--file", str(dump), *args], env)
        tables = connection.introspection.table_names(cursor)
        return _snapshot_facts(cursor, connection.ops.quote_name, tables)


def _backup_sqlite(connection, dump: Path) -> dict:
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)  # the online backup API: a consistent copy while others write
        cursor = copy.cursor()
        tables = [r[0] for r in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return _snapshot_facts(cursor, connection.ops.quote_name, [t for t in tables if not t.startswith("sqlite_")])
    finally:
        copy.close()


def _safe_path(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise BackupError(f"拒绝处理越出备份目录的文件名：{name}")
    return path


def _copy_files_out(storage, names: list[str], root: Path) -> tuple[dict[str, dict], list[str]]:
    files, missing = {}, []
    for name in names:
        if not storage.exists(name):
            missing.append(name)
            continue
        target = _safe_path(root, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with storage.open(name, "rb") as source, target.open("wb") as sink:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                sink.write(chunk)
        files[name] = {"sha256": digest.hexdigest(), "size": size}
    return files, missing


# --- restore --------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} 中没有 {MANIFEST}：这不是 Luoshi 的备份目录。")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST} 无法读取：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}（本版本读取格式 {FORMAT}）。")
    return manifest


def check_backup(source: Path, manifest: dict) -> list[str]:
    """The backup's own files against its manifest: a damaged or edited backup is not restored."""
    source = Path(source)
    problems = []
    dump = source / manifest["database"]["file"]
    if not dump.is_file() or _sha256_file(dump) != manifest["database"]["sha256"]:
        problems.append(f"数据库文件 {dump.name} 缺失或与清单的 sha256 不符。")
    for name, meta in manifest["files"].items():
        path = _safe_path(source / FILES_DIR, name)
        if not path.is_file() or _sha256_file(path) != meta["sha256"]:
            problems.append(f"文件 {name} 缺失或与清单的 sha256 不符。")
    return problems


def target_contents(*, database: str = "default", storage: str = "default") -> tuple[list[str], list[str]]:
    """(tables in the database, top-level entries in the storage): both empty means a restore may go in."""
    connection = connections[database]
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
    try:
        dirs, files = storages[storage].listdir("")
    except (FileNotFoundError, NotADirectoryError):
        dirs, files = [], []
    return tables, [*dirs, *files]


def restore(
    source: Path, *, database: str = "default", storage: str = "default", force: bool = False, log=print
) -> RestoreReport:
    """Restore the backup in `source` into `database` and `storage`, then check it (see RestoreReport)."""
    source = Path(source)
    manifest = read_manifest(source)
    connection = connections[database]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"备份来自 {vendor} 数据库，不能恢复到 {connection.vendor} 数据库。")
    problems = check_backup(source, manifest)
    if problems:
        raise BackupError("备份已损坏，未作任何恢复：\n" + "\n".join(problems))
    tables, entries = target_contents(database=database, storage=storage)
    if (tables or entries) and not force:
        raise BackupError(
            f"目标不为空（数据库有 {len(tables)} 张表，文件存储有 {len(entries)} 项）："
            "请恢复到空数据库和空存储，或确认覆盖后加 --force。"
        )
    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        args, env = _pg_conninfo(connection.settings_dict)
        clean = ["--clean", "--if-exists"] if tables else []
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *clean, *args, str(dump)], env)
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(dump)
        try:
            copy.backup(connection.connection)  # replaces the whole database, schema included
        finally:
            copy.close()
    log(f"database restored from {dump.name}")
    target = storages[storage]
    for name in manifest["files"]:
        if target.exists(name):
            target.delete(name)  # only with force: the emptiness check refused otherwise
        with _safe_path(source / FILES_DIR, name).open("rb") as f:
            saved = target.save(name, File(f, name=name))
        if saved != name:
            raise BackupError(f"文件 {name} 被存储改名为 {saved}：存储不接受原名，恢复中止。")
    log(f"files restored: {len(manifest['files'])}")
    return verify_restore(manifest, database=database, storage=storage)


def verify_restore(manifest: dict, *, database: str = "default", storage: str = "default") -> RestoreReport:
    """The restored database and storage against the manifest, and the audit chain by audit_verify."""
    report = RestoreReport()
    connection = connections[database]
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        facts = _snapshot_facts(cursor, connection.ops.quote_name, tables)
    for table, count in manifest["tables"].items():
        if facts["tables"].get(table) != count:
            report.problems.append(f"表 {table}：清单 {count} 行，恢复后 {facts['tables'].get(table)} 行。")
    report.tables, report.rows = len(facts["tables"]), sum(facts["tables"].values())
    # Backups made before there were several chains hold the one head row as "audit_head".
    expected = manifest["audit_heads"] if "audit_heads" in manifest else [h for h in [manifest.get("audit_head")] if h]
    if facts["audit_heads"] != expected:
        report.problems.append("审计链头与清单不符。")
    target = storages[storage]
    for name, meta in manifest["files"].items():
        digest = hashlib.sha256()
        try:
            with target.open(name, "rb") as f:
                while chunk := f.read(_CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            report.problems.append(f"文件 {name} 恢复后不存在。")
            continue
        if digest.hexdigest() != meta["sha256"]:
            report.problems.append(f"文件 {name} 恢复后 sha256 不符。")
        else:
            report.files += 1
    out, err = StringIO(), StringIO()
    try:
        with _as_default(database):
            call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit:
        report.problems.append(f"audit_verify 报告审计链断裂：{(out.getvalue() + err.getvalue()).strip()}")
    report.audit = (out.getvalue() + err.getvalue()).strip()
    return report


@contextmanager
def _as_default(alias: str) -> Iterator[None]:
    """Run a command written for the default database (audit_verify) against another alias."""
    if alias == "default":
        yield
        return
    original = connections["default"]
    connections["default"] = connections[alias]
    try:
        yield
    finally:
        connections["default"] = original
