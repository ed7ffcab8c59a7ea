"""Refusals of the reports (``pos report rfm|onboarding|flow|top|dormant``,
ledger.reports_*). Keys as in config/messages/__init__.py."""

from __future__ import annotations

REPORTS: dict[str, tuple[str, str]] = {
    "invalid_input.report_exists": (
        "{path} already exists: name a new file (a report never replaces a file).",
        "{path} มีอยู่แล้ว ตั้งชื่อไฟล์ใหม่ (รายงานจะไม่เขียนทับไฟล์เดิม)",
    ),
    "invalid_input.report_folder": (
        "The folder {path} does not exist (or is not a folder): create it, or name another.",
        "ไม่มีโฟลเดอร์ {path} (หรือไม่ใช่โฟลเดอร์) สร้างโฟลเดอร์ก่อน หรือระบุที่อื่น",
    ),
    "invalid_input.report_range": (
        "The report starts on {start}, after its end {end}: give a start on or before the end.",
        "วันเริ่มรายงาน {start} อยู่หลังวันสิ้นสุด {end} ระบุวันเริ่มที่ไม่เกินวันสิ้นสุด",
    ),
}
