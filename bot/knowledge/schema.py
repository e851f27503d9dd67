"""The shape of a knowledge-base file, as reviewers write it in YAML.

One file per country (`knowledge/countries/XX.yaml`) plus `knowledge/regional.yaml`
for ASEAN-wide facts. Every fact carries its sources, whether it is verified, and
the date by which a reviewer must look at it again. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGES = ("en", "id", "tl", "vi", "th", "my", "km", "lo")
ASEAN = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")
REGIONAL = "ASEAN"

BRANCHES = (
    "employment_injury",
    "sickness_health",
    "maternity",
    "old_age",
    "invalidity",
    "survivors",
    "unemployment",
)
TOPICS = BRANCHES + (
    "coverage",  # summary: who is covered, compulsory or voluntary, who is left out
    "take_home",  # lump sums on leaving, export of benefits, deadlines
    "home_scheme",  # what nationals abroad can join or keep paying
    "agreement",  # agreements between countries, ASEAN declarations
    "claim",  # claim steps, documents, deadlines
    "contributions",  # who pays how much
    "contact",  # offices, hotlines, websites
    "emergency",  # emergency numbers and help for abuse or danger
)
SECTORS = ("domestic", "plantation", "construction", "fishing", "manufacturing", "care", "undocumented")
SCHEMES = (
    "SOCSO", "EPF", "SSS", "OWWA", "PHILHEALTH", "PAGIBIG", "BPJS_TK", "BPJS_KES", "SSO",
    "VSS", "NSSF", "SSB", "LSSO", "CPF", "WICA", "TAP", "SPK",
)

Role = Literal["host", "home", "any"]
Status = Literal["verified", "unconfirmed"]
_SOURCE_DATE = re.compile(r"^(n\.d\.|\d{4}(-\d{2}(-\d{2})?)?)$")
_FACT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Texts(Strict):
    """The same text in several languages; English is required."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    id: str | None = None
    tl: str | None = None
    vi: str | None = None
    th: str | None = None
    my: str | None = None
    km: str | None = None
    lo: str | None = None

    @model_validator(mode="after")
    def _no_blank(self) -> "Texts":
        for lang in LANGUAGES:
            value = getattr(self, lang)
            if value is not None and not value.strip():
                raise ValueError(f"the {lang} text is empty")
        return self

    def get(self, lang: str) -> str | None:
        return getattr(self, lang, None) if lang in LANGUAGES else None


class StepLists(Strict):
    """Numbered steps in several languages; English is required."""

    en: list[str] = Field(min_length=1)
    id: list[str] | None = None
    tl: list[str] | None = None
    vi: list[str] | None = None
    th: list[str] | None = None
    my: list[str] | None = None
    km: list[str] | None = None
    lo: list[str] | None = None

    def get(self, lang: str) -> list[str] | None:
        return getattr(self, lang, None) if lang in LANGUAGES else None


class Source(Strict):
    url: str
    date: str = Field(description="YYYY, YYYY-MM, YYYY-MM-DD or n.d. (no date on the page)")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://\S+$", value):
            raise ValueError("must be an http(s) URL")
        if value.endswith(("...", "…")) or "/.../" in value:
            raise ValueError("the URL is cut short ('...'); give the full address of the page")
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        if not _SOURCE_DATE.match(text):
            raise ValueError("must be YYYY, YYYY-MM, YYYY-MM-DD or n.d.")
        return text


class Scheme(Strict):
    id: str
    name: Texts
    website: str | None = None

    @field_validator("id")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SCHEMES:
            raise ValueError(f"unknown scheme {value!r}; known: {', '.join(SCHEMES)}")
        return value


class Fact(Strict):
    id: str
    role: Role
    topic: str
    schemes: list[str] = []
    with_: list[str] = Field(default=[], alias="with")
    sectors: list[str] = []
    status: Status
    sources: list[Source] = Field(min_length=1)
    review_by: dt.date
    text: Texts
    steps: StepLists | None = None
    see_also: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _FACT_ID.match(value):
            raise ValueError("must be lower-case letters, digits, '.', '-' or '_'")
        return value

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        if value not in TOPICS:
            raise ValueError(f"unknown topic {value!r}; known: {', '.join(TOPICS)}")
        return value

    @field_validator("with_")
    @classmethod
    def _with(cls, value: list[str]) -> list[str]:
        for code in value:
            if not _COUNTRY.match(code):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 code")
        return value

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, value: list[str]) -> list[str]:
        for sector in value:
            if sector not in SECTORS:
                raise ValueError(f"unknown sector {sector!r}; known: {', '.join(SECTORS)}")
        return value


class CountryFile(Strict):
    country: str
    name: Texts
    schemes: list[Scheme] = []
    facts: list[Fact] = []

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value != REGIONAL and not _COUNTRY.match(value):
            raise ValueError("must be an ISO 3166-1 alpha-2 code or ASEAN")
        return value


class FactTranslation(Strict):
    text: str
    steps: list[str] | None = None

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the text is empty")
        return value


class TranslationFile(Strict):
    """`knowledge/translations/<lang>.yaml`: one language's texts for countries, schemes and facts."""

    lang: str
    countries: dict[str, str] = {}
    schemes: dict[str, str] = {}
    facts: dict[str, FactTranslation] = {}

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        if value not in LANGUAGES or value in ("en", "id"):
            raise ValueError("must be one of tl, vi, th, my, km, lo (en and id live in the country files)")
        return value
