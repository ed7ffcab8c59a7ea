"""Refusals of head office and of sync."""

from __future__ import annotations

_OFFLINE = "sales keep working offline and sync later"
_OFFLINE_TH = "การขายยังทำได้แบบออฟไลน์และจะซิงค์ภายหลัง"

# key: (English, Thai)
SYNC: dict[str, tuple[str, str]] = {
    "hq_unreachable": (
        "Cannot reach head office at {url} ({reason}): check the internet connection and the "
        f"address; {_OFFLINE}.",
        "ติดต่อสำนักงานใหญ่ที่ {url} ไม่ได้ ({reason}) ตรวจการเชื่อมต่ออินเทอร์เน็ตและที่อยู่ "
        f"{_OFFLINE_TH}",
    ),
    "hq_unreachable.timeout_connect": (
        f"Head office at {{url}} took too long to connect: check the internet connection; "
        f"{_OFFLINE}.",
        f"สำนักงานใหญ่ที่ {{url}} เชื่อมต่อนานเกินไป ตรวจการเชื่อมต่ออินเทอร์เน็ต {_OFFLINE_TH}",
    ),
    "hq_unreachable.timeout_answer": (
        f"Head office at {{url}} took too long to answer: check the internet connection; "
        f"{_OFFLINE}.",
        f"สำนักงานใหญ่ที่ {{url}} ตอบช้าเกินไป ตรวจการเชื่อมต่ออินเทอร์เน็ต {_OFFLINE_TH}",
    ),
    "hq_unreachable.cut": (
        "The connection to head office at {url} was cut ({reason}): it is tried again on the "
        f"next sync; {_OFFLINE}.",
        "การเชื่อมต่อกับสำนักงานใหญ่ที่ {url} ถูกตัด ({reason}) จะลองใหม่ในการซิงค์ครั้งถัดไป "
        f"{_OFFLINE_TH}",
    ),
    "hq_unreachable.server": (
        f"Head office at {{url}} has a problem ({{status}}: {{hq}}): try again later; {_OFFLINE}.",
        f"สำนักงานใหญ่ที่ {{url}} มีปัญหา ({{status}}: {{hq}}) ลองใหม่ภายหลัง {_OFFLINE_TH}",
    ),
    "hq_unreachable.not_hq": (
        "{url} answered with something that is not head office's reply (a Wi-Fi login page, "
        f"or a proxy?): check the connection and the address; {_OFFLINE}.",
        "{url} ตอบกลับด้วยสิ่งที่ไม่ใช่คำตอบของสำนักงานใหญ่ (หน้าล็อกอิน Wi-Fi หรือพร็อกซี?) "
        f"ตรวจการเชื่อมต่อและที่อยู่ {_OFFLINE_TH}",
    ),
    "hq_refused": (
        "Head office refused the request ({status}): {hq}",
        "สำนักงานใหญ่ปฏิเสธคำขอ ({status}): {hq}",
    ),
    "hq_refused.address": (
        "'{url}' is not a head-office address: write it like https://hq.example.com (with "
        "http:// or https://).",
        "'{url}' ไม่ใช่ที่อยู่สำนักงานใหญ่ เขียนแบบ https://hq.example.com (ขึ้นต้นด้วย "
        "http:// หรือ https://)",
    ),
    "hq_refused.talk": (
        "Cannot talk to head office at {url} ({reason}): check the address.",
        "คุยกับสำนักงานใหญ่ที่ {url} ไม่ได้ ({reason}) ตรวจที่อยู่อีกครั้ง",
    ),
    "hq_refused.push": (
        "Head office refused this push: {hq}",
        "สำนักงานใหญ่ไม่รับข้อมูลที่ส่งไป: {hq}",
    ),
    "hq_refused.not_hq": (
        "{url} does not look like a Loyalty POS head office (no {path}): check the address.",
        "{url} ไม่ใช่สำนักงานใหญ่ของ Loyalty POS (ไม่มี {path}) ตรวจที่อยู่อีกครั้ง",
    ),
    "hq_unauthorized": (
        "Head office refused this terminal: {hq}",
        "สำนักงานใหญ่ไม่ยอมรับเครื่องนี้: {hq}",
    ),
    "hq_unauthorized.rejoin": (
        "Head office refused this terminal: {hq} Ask head office for a new setup code and run "
        "'pos join HQ_URL SETUP_CODE'.",
        "สำนักงานใหญ่ไม่ยอมรับเครื่องนี้: {hq} ขอรหัสตั้งค่าใหม่จากสำนักงานใหญ่แล้วใช้คำสั่ง "
        "'pos join HQ_URL SETUP_CODE'",
    ),
    "wrong_terminal": (
        "{hq}",
        "รหัสตั้งค่านี้ทำไว้สำหรับเครื่องอื่น ขอรหัสใหม่สำหรับเครื่องนี้จากสำนักงานใหญ่ ({hq})",
    ),
    "invalid_input.batch": (
        "The batch size must be at least 1.",
        "จำนวนต่อชุดต้องมีอย่างน้อย 1",
    ),
    "invalid_input.hq_key": (
        "Head office sent a coupon key that is not 64 hex digits.",
        "สำนักงานใหญ่ส่งกุญแจคูปองที่ไม่ใช่เลขฐานสิบหก 64 หลัก แจ้งสำนักงานใหญ่",
    ),
    "invalid_input.hq_token": (
        "Head office sent an empty or unprintable token.",
        "สำนักงานใหญ่ส่งโทเค็นที่ว่างหรืออ่านไม่ได้ แจ้งสำนักงานใหญ่",
    ),
    "sync_busy": (
        "Another sync is already running on this terminal: wait for it to finish.",
        "เครื่องนี้กำลังซิงค์อยู่แล้ว รอให้เสร็จก่อน",
    ),
    "sync_error.losing": (
        "Head office keeps losing this terminal's entries (it acknowledges only up to "
        "{acked}): call head office.",
        "สำนักงานใหญ่ทำรายการของเครื่องนี้หายซ้ำ ๆ (รับไว้ถึงลำดับ {acked} เท่านั้น) "
        "โทรแจ้งสำนักงานใหญ่",
    ),
}  # fmt: skip
