"""French typography of names built or imported: elision before a vowel, HTML bits of public data made text."""

from __future__ import annotations

from sentinelle.text import of, plain


def test_de_elides_and_contracts_as_french_writes_it() -> None:
    assert [f"CH {of(city)}" for city in ("Amiens", "Évry", "Hyères", "Lyon", "Le Havre", "Les Sables-d'Olonne")] == [
        "CH d'Amiens", "CH d'Évry", "CH d'Hyères", "CH de Lyon", "CH du Havre", "CH des Sables-d'Olonne"]
    # A hospital named by its kind reads « le CHU », « le CH »: « la cartographie du CHU de Lyon ».
    assert [of(n) for n in ("CHU de Lyon", "CH d'Amiens", "AP-HP", "Chambéry")] == [
        "du CHU de Lyon", "du CH d'Amiens", "d'AP-HP", "de Chambéry"]


def test_imported_markup_becomes_one_text() -> None:
    assert plain("IMUKIN 2 x 10<sup>6</sup> UI (0,1 mg), solution injectable") == \
        "IMUKIN 2 x 10⁶ UI (0,1 mg), solution injectable"
    assert plain("CO<sub>2</sub> médical<br>gaz &amp; <b>bouteille</b>") == "CO₂ médical gaz & bouteille"
    assert plain("<script>alert(1)</script>x") == "alert(1)x"  # tags go; the text, escaped where shown, stays
