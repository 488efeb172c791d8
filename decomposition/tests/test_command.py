"""`python manage.py extract_plan PATH --year YEAR [--format json|xlsx -o FILE]`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from decomposition.tests.pdfs import make_pdf
from decomposition.tests.test_documents import docx_bytes
from plans.ledger import COLUMNS

DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "erqi-2021-plan.txt"
GOLD = json.loads((DATA / "erqi-2021-plan.gold.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[2]


def keys(document: dict) -> tuple:
    return (
        list(document),
        {tuple(item) for item in document["commitments"]},
        {tuple(item) for item in document["achievements"]},
    )


def run(capsys, *args) -> tuple[int, str, str]:
    try:
        call_command("extract_plan", *map(str, args))
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_has_the_gold_schema_and_the_gold_figures(capsys):
    code, out, _err = run(capsys, SEED, "--year", 2021, "--format", "json")
    assert code == 0
    result = json.loads(out)
    # the gold file's keys first, then the qualitative milestones and the heading paths (issue 19)
    assert keys(result) == (list(GOLD) + ["milestones", "areas"], *keys(GOLD)[1:])
    assert result["plan_year"] == 2021
    fields = ("target_value", "unit", "deadline", "modality", "area")
    assert [[c[f] for f in fields] for c in result["commitments"]] == [
        [c[f] for f in fields] for c in GOLD["commitments"]
    ]
    fields = ("value", "unit", "period", "estimate")
    assert [[a[f] for f in fields] for a in result["achievements"]] == [
        [a[f] for f in fields] for a in GOLD["achievements"]
    ]


@pytest.mark.parametrize("kind", ["gb18030", "docx", "pdf"])
def test_every_document_kind_reads_the_same(tmp_path, capsys, kind):
    text = SEED.read_text(encoding="utf-8")
    if kind == "gb18030":
        path, data = tmp_path / "plan.txt", text.encode("gb18030")
    elif kind == "docx":
        path, data = tmp_path / "plan.docx", docx_bytes(text.splitlines())
    else:
        lines = [line for line in text.splitlines() if line.strip()]
        path, data = tmp_path / "plan.pdf", make_pdf([lines[i : i + 10] for i in range(0, len(lines), 10)])
    path.write_bytes(data)
    code, out, _err = run(capsys, path, "--year", 2021)
    assert code == 0
    result = json.loads(out)
    assert [c["quote"] for c in result["commitments"]] == [
        c["quote"] for c in json.loads(run(capsys, SEED, "--year", 2021)[1])["commitments"]
    ]
    assert len(result["achievements"]) == 19


def test_xlsx_is_the_ledger_layout(tmp_path, capsys):
    target = tmp_path / "分解表.xlsx"
    code, _out, err = run(capsys, SEED, "--year", 2021, "--format", "xlsx", "-o", target)
    assert code == 0 and "10 项承诺" in err
    ws = load_workbook(target).active
    assert ws["A1"].value == "任务分解表"
    assert [c.value for c in ws[2]] == [header for _key, header, _width in COLUMNS]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[2]]
    assert [(r[3], r[4], r[10], r[11]) for r in rows][:2] == [
        (10, "个", "在主导产业升级上争先出彩", "力争"),
        (6, "个", "在城市品质提升上争先出彩", "确保"),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("plan.docx", "纯文本".encode(), "不是有效的 .docx"),
        ("scan.pdf", make_pdf(image_only_pages=1), "PDF 没有文字层"),
        ("empty.txt", b"", "文件是空的"),
        ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "另存为 .docx"),
    ],
)
def test_unreadable_files_exit_1_with_a_chinese_message(tmp_path, capsys, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(capsys, path, "--year", 2021)
    assert code == 1 and out == ""
    assert message in err


def test_a_missing_file_exits_1(capsys):
    code, _out, err = run(capsys, "/nonexistent/plan.txt", "--year", 2021)
    assert code == 1 and "找不到文件" in err


def test_the_command_runs_as_a_process(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603  (our own manage.py on a file of the test)
        [sys.executable, "manage.py", "extract_plan", str(SEED), "--year", "2021", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert keys(json.loads(result.stdout)) == (list(GOLD) + ["milestones", "areas"], *keys(GOLD)[1:])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nbroken")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "extract_plan", str(broken), "--year", "2021"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    assert "PDF 已损坏" in result.stderr and result.stdout == ""
