import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from decomposition.documents import DocumentRejected, read_document
from decomposition.extractor import extract, proposal_to_gold_dict
from plans.ledger import LedgerRowOut, build_task_ledger_xlsx

# The command speaks Chinese directly (like import_tasks): it is run by the office's IT staff.
MESSAGES = {
    "empty": "文件是空的。",
    "too_large": "文件超过 20 MB。",
    "text_too_long": "文本超过 50 万字，请分段处理。",
    "no_text": "文档中没有文字。",
    "not_docx": "文件不是有效的 .docx Word 文档（不是 zip 包）。",
    "bad_docx": "Word 文档已损坏，无法读取。请用 Word 或 WPS 打开后另存为 .docx。",
    "old_doc": "不支持旧版 Word 文档（.doc），请另存为 .docx 后重试。",
    "not_pdf": "文件不是有效的 PDF。",
    "bad_pdf": "PDF 已损坏，无法读取。",
    "pdf_encrypted": "PDF 设有密码，请去除密码后重试。",
    "pdf_no_text": "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）或粘贴文字。",
    "not_text": "文件不是文本、Word（.docx）或 PDF 文档。",
}


class Command(BaseCommand):
    help = (
        "Decompose a plan document (.txt UTF-8/GB18030, .docx, .pdf text layer): print the proposal as "
        "gold-schema JSON, or write it as a 任务分解表 (.xlsx). Exit 1 when the file cannot be read."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--year", type=int, required=True, help="plan year (relative deadlines resolve to it)")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", help="the .xlsx file to write (with --format xlsx)")

    def handle(self, *args, path, year, format, output, **options):
        if not 1900 <= year <= 2100:
            raise CommandError(f"年份 {year} 无效。")
        if format == "xlsx" and not output:
            raise CommandError("--format xlsx 需要用 -o 指定输出文件。")
        source = Path(path)
        if not source.is_file():
            self._fail(f"找不到文件：{path}")
        try:
            data = source.read_bytes()
        except OSError as exc:
            self._fail(f"无法读取文件：{path}（{exc.strerror}）")
        try:
            document = read_document(data, source.name)
        except DocumentRejected as exc:
            self._fail(f"{path}：{MESSAGES[exc.code]}")
        proposal = extract(document.text, year)
        if format == "json":
            # The gold file's schema: source (the file name), plan_year, commitments, achievements; then
            # milestones (dated commitments without a number) and areas (heading paths), unscored.
            result = {"source": source.name, **proposal_to_gold_dict(proposal)}
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        rows = [
            LedgerRowOut(
                code="",
                title=item.quote,
                target_value=Decimal(str(item.target_value)),
                target_unit=item.unit,
                responsible_post="",
                lead_unit="",
                co_units=[],
                deadline=item.deadline,
                milestones=[],
                area=item.area or "",
                modality=item.modality,
            )
            for item in proposal.commitments
        ]
        Path(output).write_bytes(build_task_ledger_xlsx(rows))
        skipped = len(proposal.achievements)
        self.stderr.write(f"已写入 {output}：{len(rows)} 项承诺（另有 {skipped} 项成绩未列入分解表）。")

    def _fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(1)
