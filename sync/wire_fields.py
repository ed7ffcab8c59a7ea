"""The field types of the sync wire format (``sync.protocol`` re-exports them).

Like the protocol, this module imports nothing of the terminal or head office.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class WholeNumber:
    """An int from ``ge`` to ``le``, as JSON Schema's ``integer`` means it: ``5`` and
    ``5.0`` (a number with no fraction), never ``"5"``, ``true`` or ``5.5``.

    A strict int first (in pydantic-core, no cost on the usual push); only a float
    reaches the Python check. The OpenAPI description stays ``type: integer``.
    """

    ge: int
    le: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def integral(value: float) -> int:
            if value.is_integer() and self.ge <= value <= self.le:
                return int(value)
            raise PydanticCustomError("whole_number", "not a whole number in range")

        return core_schema.union_schema(
            [
                core_schema.int_schema(strict=True, ge=self.ge, le=self.le),
                core_schema.no_info_after_validator_function(
                    integral, core_schema.float_schema(strict=True)
                ),
            ],
            mode="left_to_right",
            custom_error_type="whole_number",
            custom_error_message=f"Input should be a whole number from {self.ge} to {self.le}",
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "integer", "minimum": self.ge, "maximum": self.le}


# -- field types --------------------------------------------------------------
# Text a terminal or an admin sends never holds control characters: C0 (NUL, ESC,
# newlines), DEL, C1 (U+0080-U+009F, e.g. CSI) or bidi overrides and isolates
# (U+202A-U+202E, U+2066-U+2069). Another till shows the text on a screen, a slip
# or a terminal, where these would move the cursor, run printer or terminal
# commands or reverse what is read; the ``pos`` CLI refuses the same. One pattern,
# so the OpenAPI description says exactly what is refused (422 naming the field).

CONTROL_CHARACTERS = "\\x00-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069"
PLAIN_TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"
"""Text without control characters (an empty string is allowed)."""

Id = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=f"^[^{CONTROL_CHARACTERS}]+$")
]
Text = Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT_PATTERN)]
Name = Annotated[str, StringConstraints(max_length=80, pattern=PLAIN_TEXT_PATTERN)]
RulesJson = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00]*$")]
Timestamp = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"
    ),
]
"""UTC, fixed width, as the ledger writes it: ``2026-01-15T03:00:00.000000Z``."""
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
"""E.164: ``+66812345678``."""
CouponKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A coupon HMAC key: 32 bytes as 64 lowercase hex digits."""
Int64 = Annotated[int, WholeNumber(INT64_MIN, INT64_MAX)]
Seq = Annotated[int, WholeNumber(1, INT64_MAX)]
# xid.change[.seq]: 19 digits always fit a 64-bit transaction id, and 18 always
# fit the int64 change number and seq, so every cursor the spec allows is one
# the server can read (a 19-digit change number could pass the pattern and
# still be out of range: the spec and the server would disagree).
CURSOR_PATTERN = r"^(0|[0-9]{1,19}\.[0-9]{1,18}(\.[0-9]{1,18})?)$"
Cursor = Annotated[str, StringConstraints(pattern=CURSOR_PATTERN)]
"""Opaque to the terminal: store ``next_cursor`` and send it back as ``after``."""
CouponStatus = Literal["issued", "used", "void"]
ConflictKind = Literal[
    "entry_body_mismatch",
    "chain_break",
    "coupon_double_use",
    "negative_balance",
    "phone_merge",
    "forbidden_push",
]
