"""Shortages abroad: the substance key that matches French and foreign names, the three feeds' bad
records named, snapshots applied idempotently with their history, and the product page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sentinelle.catalogue import substances
from sentinelle.errors import Invalid
from sentinelle.importing import ImportReport
from sentinelle.interop import foreign
from sentinelle.risk.models import ForeignShortage, ForeignShortageEvent


@pytest.mark.parametrize(("french", "english"), [
    (["AMOXICILLINE TRIHYDRATÉE"], ["Amoxicillin Capsules"]),
    (["CHLORHYDRATE DE MORPHINE"], ["Morphine Sulfate Injection"]),
    (["ACIDE VALPROÏQUE"], ["Valproic Acid Capsule"]),
    (["PARACÉTAMOL"], ["Acetaminophen Injection"]),
    (["ADRÉNALINE"], ["Epinephrine Injection, Auto-Injector"]),
    (["CHLORURE DE POTASSIUM"], ["Potassium Chloride Injection"]),
    (["GLUCOSE ANHYDRE"], ["Dextrose 5% Injection"]),
    (["HÉPARINE SODIQUE"], ["Heparin Sodium in Dextrose Injection"]),
    (["TRIAMTÉRÈNE", "HYDROCHLOROTHIAZIDE"], ["Triamterene", "Hydrochlorothiazide Tablets"]),
    (["AMOXICILLINE BASE", "ACIDE CLAVULANIQUE"], ["amoxicillin", "clavulanic acid"]),
    (["AMOXICILLINE TRIHYDRATÉE EXPRIMÉE EN AMOXICILLINE"], ["Amoxicillin Capsules"]),
])
def test_french_and_english_names_of_one_substance_meet(french: list[str], english: list[str]) -> None:
    assert substances.key(french) == substances.key(english, english=True) != ""


@pytest.mark.parametrize(("french", "english"), [
    (["AMOXICILLINE", "ACIDE CLAVULANIQUE"], ["Amoxicillin Capsules"]),  # a combination is not its part
    (["MORPHINE"], ["Hydromorphone Hydrochloride Injection"]),
    (["CHLORURE DE SODIUM"], ["Potassium Chloride Injection"]),
])
def test_different_substances_do_not(french: list[str], english: list[str]) -> None:
    assert substances.key(french) != substances.key(english, english=True)


FDA_CSV = ('\n Generic Name , Company Name, Presentation, Date of Update, Status, Initial Posting Date, Reason for Shortage\n'
           '"Amoxicillin Capsules","Teva","Amoxicillin, Capsule, 500 mg (NDC 0093-3109-01)","1/3/23","Current","11/1/22",""\n'
           '"","Teva","x","01/03/2023","Current","01/03/2023",""\n'
           '"Morphine Sulfate Injection","Hikma","Morphine (NDC 0641-6125-25)","01/03/2023","Sold out","01/03/2023",""\n'
           '"Etomidate Injection","Hospira","Amidate (NDC 0409-6695-02)","13/45/2023","Current","01/03/2023",""\n')


def test_the_fda_csv_is_read_with_its_quirks_and_each_bad_record_named() -> None:
    report = ImportReport(source="fda")
    snapshot = foreign.parse_fda_drugs(FDA_CSV, report)
    assert snapshot.taken_on == date(2023, 1, 3)
    [amox] = snapshot.records
    assert (amox.key, amox.status, amox.posted_on, amox.substance_key) == ("0093-3109-01", "current",
                                                                           date(2022, 11, 1), "amoxicillin")
    assert [(r.line, r.field) for r in report.rejected] == [(4, "generic_name"), (5, "status"), (6, "date")]
    with pytest.raises(Invalid):
        foreign.parse_fda_drugs("a,b\n1,2\n", ImportReport(source="x"))


def _openfda(updated: str, status: str, posted: str = "10/05/2022") -> str:
    return json.dumps({"meta": {"last_updated": updated}, "results": [
        {"generic_name": "Etomidate Injection", "package_ndc": "0409-6695-02", "status": status,
         "initial_posting_date": posted, "update_date": "06/09/2026", "company_name": "Hospira",
         "openfda": {"substance_name": ["ETOMIDATE"]}},
        {"generic_name": "Cefazolin Injection", "package_ndc": "0143-9924-90", "status": "Current",
         "initial_posting_date": "01/02/2024", "update_date": "01/02/2024"},
        "not a record"]})


def test_a_snapshot_applied_twice_changes_nothing_and_a_newer_one_keeps_history(session: Session,
                                                                                 tmp_path: Path) -> None:
    first, newer, older = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    first.write_text(_openfda("2026-03-27", "Current"), encoding="utf-8")
    newer.write_text(_openfda("2026-06-19", "Resolved"), encoding="utf-8")
    older.write_text(_openfda("2025-12-01", "To Be Discontinued"), encoding="utf-8")
    report = foreign.import_file(session, None, "fda-drugs", first)
    assert (report.created, [r.line for r in report.rejected]) == (2, [3])
    again = foreign.import_file(session, None, "fda-drugs", first)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert session.scalar(select(func.count()).select_from(ForeignShortageEvent)) == 2
    foreign.import_file(session, None, "fda-drugs", newer)
    etomidate = session.scalars(select(ForeignShortage).where(ForeignShortage.record_key == "0409-6695-02")).one()
    assert etomidate.status == "resolved" and etomidate.last_snapshot == date(2026, 6, 19)
    # An older snapshot read afterwards adds its word to the history, and changes nothing of today's.
    foreign.import_file(session, None, "fda-drugs", older)
    session.refresh(etomidate)
    assert etomidate.status == "resolved" and etomidate.first_snapshot == date(2025, 12, 1)
    history = session.scalars(select(ForeignShortageEvent.status).where(ForeignShortageEvent.shortage_id == etomidate.id)
                              .order_by(ForeignShortageEvent.snapshot)).all()
    assert history == ["discontinuation", "current", "resolved"]


def test_the_ema_catalogue_and_the_fda_device_list(tmp_path: Path) -> None:
    entries = [
        {"category": "Human", "medicine_affected": "Fiasp (insulin aspart)", "supply_shortage_status": "Ongoing",
         "international_non_proprietary_name_inn_or_common_name": "", "start_of_shortage_date": "08/05/2025",
         "first_published_date": "12/05/2025", "last_updated_date": "18/12/2025",
         "shortage_url": "https://www.ema.europa.eu/en/medicines/human/shortages/fiasp"},
        {"category": "Veterinary", "medicine_affected": "X", "supply_shortage_status": "Ongoing"},
        {"category": "Human", "medicine_affected": "Y", "supply_shortage_status": "Ongoing",
         "international_non_proprietary_name_inn_or_common_name": "y", "shortage_url": "javascript:alert(1)"},
    ]
    report = ImportReport(source="ema")
    snapshot = foreign.parse_ema(json.dumps(entries), report)
    [fiasp] = snapshot.records
    assert fiasp.substance_key == "aspart insulin" and fiasp.posted_on == date(2025, 5, 8)
    assert [(r.line, r.field) for r in report.rejected] == [(3, "shortage_url")]
    devices = ("category,product_code_description,availability_and_estimated_shortage_duration,additional_information,"
               "reason_for_interruption_per_506j,date_yyyy_mm_dd\n"
               'Surgery,"GEI (Electrosurgical)",Q2 2026,x,component,2024/11/15 Initial2025/07/16 Reverified\n'
               "Surgery,no code here,Q2 2026,x,component,2024/11/15 Initial\n")
    report = ImportReport(source="devices")
    snapshot = foreign.parse_fda_devices(devices, report)
    [gei] = snapshot.records
    assert (gei.key, gei.posted_on, gei.updated_on) == ("device:GEI", date(2024, 11, 15), date(2025, 7, 16))
    assert [(r.line, r.field) for r in report.rejected] == [(3, "product_code_description")]


def test_the_command_imports_the_real_ema_catalogue(shared_data: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from sentinelle import config
    from sentinelle.cli import app
    from sentinelle.store import db

    monkeypatch.setenv("SENTINELLE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    config.get_settings.cache_clear()  # the command reads its settings afresh: this test's folder
    db.default_engine.cache_clear()
    try:
        path = shared_data / "ema-shortages" / "medicines_output_shortages_en.json"
        result = CliRunner().invoke(app, ["import", "ema", str(path)])
        assert result.exit_code == 0, result.output
        assert "74 créés" in result.output.replace("\n", " ")
        again = CliRunner().invoke(app, ["import", "ema", str(path)])
        assert "0 créés, 0 mis à jour, 74 inchangés" in again.output.replace("\n", " ")
        assert (tmp_path / "sentinelle.db").exists()
    finally:
        config.get_settings.cache_clear()
        db.default_engine.cache_clear()
