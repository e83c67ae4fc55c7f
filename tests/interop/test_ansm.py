"""The ANSM availability list, from the real snapshots in shared/data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.catalogue.importers import import_bdpm
from sentinelle.errors import Invalid
from sentinelle.interop import ansm
from sentinelle.signals.models import Event, Signal


def _bdpm_subset(shared: Path, tmp: Path, ansm_file: Path) -> Path:
    """The BDPM lines of the specialities the ANSM file names (the whole base is tested elsewhere)."""
    wanted = {line.split("\t")[0] for line in ansm_file.read_text(encoding="utf-8").splitlines() if line}
    out = tmp / "bdpm"
    out.mkdir()
    for name in ("CIS_bdpm.txt", "CIS_MITM.txt", "CIS_CIP_bdpm.txt", "CIS_COMPO_bdpm.txt"):
        lines = (shared / "bdpm" / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (out / name).write_text("".join(line for line in lines if line.split("\t")[0] in wanted), encoding="utf-8")
    return out


def test_snapshots_load_as_published_signals_and_updates_keep_history(
        session: Session, shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "ansm-disponibilite"
    older, newer = folder / "CIS_CIP_Dispo_Spec_2025-07-04.txt", folder / "CIS_CIP_Dispo_Spec_2026-01-26.txt"
    import_bdpm(session, _bdpm_subset(shared_data, tmp_path, newer))
    first = ansm.import_file(session, None, older)
    session.commit()
    assert first.rejected == [] and first.created > 900
    # Each row's status maps to ours; names and ATC come from the BDPM.
    azactam = session.scalar(select(Signal).join(Signal.product).where(Signal.external_url.like("%azactam%")))
    assert azactam is not None and azactam.product.name.startswith("AZACTAM")
    # The active substances, from the composition: what matches a shortage abroad.
    assert (azactam.product.substances, azactam.product.substance_key) == ("AZTRÉONAM", "aztreonam")
    statuses = dict(session.execute(select(Signal.status, func.count()).group_by(Signal.status)).all())
    assert set(statuses) <= {"published", "resolved"} and statuses["published"] > 100

    second = ansm.import_file(session, None, newer)
    session.commit()
    assert second.updated > 0 and second.created > 0
    changed = session.scalar(select(Signal).join(Event, Event.signal_id == Signal.id).where(
        Event.message.like("Liste ANSM du 26/01/2026%")).limit(1))
    assert changed is not None
    history = [e.message for e in session.scalars(select(Event).where(Event.signal_id == changed.id)
                                                  .order_by(Event.id))]
    assert history[0].startswith("Importé de la liste ANSM") and len(history) >= 2
    # Re-importing the same snapshot changes nothing.
    again = ansm.import_file(session, None, newer)
    assert (again.created, again.updated) == (0, 0)


def test_latin1_copy_reads_the_same_as_the_utf8_copy(shared_data: Path) -> None:
    folder = shared_data / "ansm-disponibilite"
    from sentinelle.importing import ImportReport, read_text

    utf8 = ansm.parse(read_text(folder / "CIS_CIP_Dispo_Spec_2026-01-26.txt"), ImportReport("a"))
    latin = ansm.parse(read_text(folder / "CIS_CIP_Dispo_Spec_2026-01-26_raw-latin1.txt"), ImportReport("b"))
    assert [(r.ref, r.status, r.started_at) for r in utf8] == [(r.ref, r.status, r.started_at) for r in latin]


def test_code_and_label_disagreement_is_reported(shared_data: Path) -> None:
    from sentinelle.importing import ImportReport, read_text

    report = ImportReport("x")
    ansm.parse(read_text(shared_data / "ansm-disponibilite" / "CIS_CIP_Dispo_Spec_2025-12-29.txt"), report)
    assert any("en désaccord" in n for n in report.notes)


def test_bad_rows_are_named_and_all_or_nothing_refuses_the_file(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(
        "62110699\t\t2\tTension d'approvisionnement\t07/01/2026\t19/01/2026\t\thttps://ansm.sante.fr/x\n"
        "6211069X\t\t2\tTension d'approvisionnement\t07/01/2026\t19/01/2026\t\thttps://ansm.sante.fr/y\n"
        "62110698\t\t2\tTension d'approvisionnement\t2026-01-07\t19/01/2026\t\thttps://ansm.sante.fr/z\n",
        encoding="utf-8")
    with pytest.raises(Invalid) as err:
        ansm.import_file(session, None, path, reject_all_on_error=True)
    assert "ligne 2, CIS" in err.value.message and "ligne 3, date" in err.value.message
    assert session.scalar(select(func.count()).select_from(Signal)) == 0
    report = ansm.import_file(session, None, path)
    assert report.created == 1 and [r.line for r in report.rejected] == [2, 3]


def test_emdn_import_reads_the_quoted_line_break(session: Session, shared_data: Path, tmp_path: Path) -> None:
    from sentinelle.catalogue.importers import import_emdn
    from sentinelle.catalogue.models import EmdnCode

    copy = tmp_path / "EMDN_V2.txt"
    shutil.copy(shared_data / "emdn" / "EMDN_V2.txt", copy)
    report = import_emdn(session, copy)
    # 8,454 codes: PROVENANCE.md says 8,453, counting by the LEVEL column, which the one
    # term with a quoted line break (H01010102) splits off its row.
    assert report.rejected == [] and report.created == 8454
    assert session.get(EmdnCode, "H01010102") is not None
    needle = session.get(EmdnCode, "A0101010101")
    assert needle.term.startswith("HYPODERMIC SYRINGE NEEDLES") and needle.parent_code == "A01010101"


def test_bdpm_markup_in_a_name_is_imported_as_text(session: Session, shared_data: Path, tmp_path: Path) -> None:
    """IMUKIN's name carries « 10<sup>6</sup> » in the real BDPM: one text everywhere, never raw tags."""
    from sqlalchemy import select

    from sentinelle.catalogue.models import Product

    out = tmp_path / "bdpm"
    out.mkdir()
    for name in ("CIS_bdpm.txt", "CIS_MITM.txt", "CIS_CIP_bdpm.txt", "CIS_COMPO_bdpm.txt"):
        lines = (shared_data / "bdpm" / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (out / name).write_text("".join(line for line in lines if line.startswith("67401121\t")), encoding="utf-8")
    import_bdpm(session, out)
    name = session.scalar(select(Product.name).where(Product.cis == "67401121"))
    assert name is not None and name.startswith("IMUKIN 2 x 10⁶ UI") and "<" not in name
