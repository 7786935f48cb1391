"""What a partner's row must look like, per kind, validated with pydantic.

Checks that need no database run here (formats, check digits, enums from the policy file,
dates); checks that need one (does the grid exist? is the party a known person?) run per
batch in importer.py. Column names are the graph's camelCase property names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from graph.case_workflow import CaseStatus
from graph.cases import CaseLevel, CasePartyRole
from graph.china_time import CHINA_TIME
from graph.personal_data import (
    id_card_problem,
    is_valid_phone,
    normalize_id_card,
    normalize_phone,
)
from graph.policy import load_policy

GRID_CODE_PATTERN = r"^\d{15}$"
CASE_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,39}$"


def _split_list(value: Any) -> Any:
    """CSV cells hold lists as `a;b;c`; JSON Lines hold real lists."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    if value is None:
        return []
    return value


TextList = Annotated[list[str], BeforeValidator(_split_list)]


def _one_of(value: str, allowed: set[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(sorted(allowed))}")
    return value


def checked_id_card(value: str) -> str:
    """A normalised, valid ID-card number, or a ValueError saying what is wrong."""
    problem = id_card_problem(value)
    if problem:
        raise ValueError(f"ID-card number {problem}")
    return normalize_id_card(value)


class ImportRow(BaseModel):
    """Common rules: unknown columns are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class ResidentRow(ImportRow):
    """A resident (户籍/常住人口) living in a grid."""

    name: str = Field(min_length=1, max_length=50)
    idCard: str
    phone: str | None = None
    gridCode: str = Field(pattern=GRID_CODE_PATTERN)
    address: str | None = Field(default=None, max_length=200)
    colourLabel: str | None = None
    tags: TextList = []
    since: date | None = None

    @field_validator("idCard")
    @classmethod
    def _id_card(cls, value: str) -> str:
        return checked_id_card(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not is_valid_phone(value):
            raise ValueError("phone must be an 11-digit mainland mobile number")
        return normalize_phone(value)

    @field_validator("colourLabel")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        allowed = {entry.code for entry in load_policy().colour_labels}
        return None if value is None else _one_of(value, allowed, "colour label")

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        allowed = {tag.code for tag in load_policy().key_person_tags}
        return [_one_of(tag, allowed, "key-person tag") for tag in value]

    @property
    def gender(self) -> str:
        """From the ID-card number: the 17th digit is odd for men, even for women."""
        return "male" if int(self.idCard[16]) % 2 else "female"

    @property
    def birth_date(self) -> date:
        """From the ID-card number's digits 7-14."""
        return date(int(self.idCard[6:10]), int(self.idCard[10:12]), int(self.idCard[12:14]))


class CaseRow(ImportRow):
    """A dispute case or hotline work order; reporter and parties must be known persons."""

    code: str = Field(pattern=CASE_CODE_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    kind: str
    category: str
    severity: str
    channel: str
    status: CaseStatus
    reportedAt: datetime
    closedAt: datetime | None = None
    resolvedAtLevel: CaseLevel | None = None
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    tenNoItem: str | None = None
    gridCode: str = Field(pattern=GRID_CODE_PATTERN)
    reporterIdCard: str
    applicants: TextList = Field(min_length=1)
    respondents: TextList = []
    thirdParties: TextList = []

    @field_validator("reportedAt", "closedAt")
    @classmethod
    def _china_time_unless_stated(cls, value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=CHINA_TIME)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _one_of(value, {e.code for e in load_policy().case_kinds}, "case kind")

    @field_validator("category")
    @classmethod
    def _category(cls, value: str) -> str:
        allowed = {c.code for c in load_policy().case_categories}
        return _one_of(value, allowed, "case category")

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        return _one_of(value, {e.code for e in load_policy().severities}, "severity")

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        return _one_of(value, {e.code for e in load_policy().channels}, "channel")

    @field_validator("tenNoItem")
    @classmethod
    def _ten_no(cls, value: str | None) -> str | None:
        allowed = {item.code for item in load_policy().ten_no_items}
        return None if value is None else _one_of(value, allowed, "ten-no item")

    @field_validator("reporterIdCard")
    @classmethod
    def _reporter(cls, value: str) -> str:
        return checked_id_card(value)

    @field_validator("applicants", "respondents", "thirdParties")
    @classmethod
    def _parties(cls, value: list[str]) -> list[str]:
        return [checked_id_card(item) for item in value]

    @model_validator(mode="after")
    def _closed_after_reported(self) -> CaseRow:
        if self.closedAt is not None and self.closedAt < self.reportedAt:
            raise ValueError("closedAt is before reportedAt")
        return self

    def parties(self) -> list[tuple[str, CasePartyRole]]:
        """(ID-card number, role) of every party."""
        return [
            *((card, CasePartyRole.APPLICANT) for card in self.applicants),
            *((card, CasePartyRole.RESPONDENT) for card in self.respondents),
            *((card, CasePartyRole.THIRD_PARTY) for card in self.thirdParties),
        ]
