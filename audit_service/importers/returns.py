"""Importers for the statutory returns that add facts to the caseload: the CIN census and the
SSDA903 tables. Each reads one file; neither creates, allocates nor closes a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import BinaryIO

from audit_service.domain.imports.case_records import CaseEnrichment, RowError
from audit_service.domain.imports.cin_census import read_cin_census
from audit_service.domain.imports.ssda903 import looks_like_903, read_ssda903
from audit_service.importers.base import CaseImporter


class CinCensusImporter(CaseImporter):
    """The DfE Children in Need census (XML, 2020-21 to 2025-26 layouts): the latest
    referral, assessment, section 47 enquiry and child protection plan of each child."""

    id = "cin-census-xml"
    label = "Children in Need census (.xml)"
    extensions = (".xml",)
    full_caseload = False
    enriches = True

    @classmethod
    def recognises(cls, head: bytes) -> bool:
        return b"<Children" in head or b"LAchildID" in head

    def read(self, stream: BinaryIO, *, as_of: dt.date
             ) -> Iterator[CaseEnrichment | RowError]:
        return read_cin_census(stream, as_of=as_of)


class Ssda903Importer(CaseImporter):
    """One SSDA903 table as CSV (episodes, reviews, missing or sw_episodes), told apart by its
    header: placements, legal status, reviews, missing episodes, changes of social worker."""

    id = "ssda903-csv"
    label = "SSDA903 children looked after table (.csv)"
    extensions = (".csv",)
    full_caseload = False
    enriches = True

    @classmethod
    def recognises(cls, head: bytes) -> bool:
        return looks_like_903(head)

    def read(self, stream: BinaryIO, *, as_of: dt.date
             ) -> Iterator[CaseEnrichment | RowError]:
        return read_ssda903(stream, as_of=as_of)
