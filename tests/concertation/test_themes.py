"""Themes of French free text: a corpus whose themes are plain is split along them; on the annotated
Grand Débat contributions, closer to the human labels than plain TF-IDF + k-means."""

from __future__ import annotations

import collections
import csv
import json
from pathlib import Path

from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from typer.testing import CliRunner

from sentinelle.cli import app
from sentinelle.concertation import themes

CORPUS = {
    "penurie": ["La pharmacie n'avait plus d'amoxicilline, rupture de stock depuis des semaines.",
                "Rupture de stock du médicament de ma fille, la pharmacie attend la livraison.",
                "Encore une rupture de stock à la pharmacie pour l'amoxicilline.",
                "La pharmacie annonce une rupture de stock, livraison incertaine."],
    "prix": ["Le prix des médicaments remboursés augmente, la franchise médicale coûte cher.",
             "La franchise médicale et le reste à charge pèsent sur le prix payé.",
             "Baisser le prix et le reste à charge des médicaments remboursés.",
             "Le remboursement baisse et le prix de la franchise médicale augmente."],
    "information": ["La notice est illisible, je voudrais une information claire sur les effets indésirables.",
                    "Mon médecin donne une information claire sur les effets indésirables.",
                    "Une notice lisible avec les effets indésirables expliqués simplement.",
                    "Information claire des patients sur les effets indésirables et la notice."],
}


def test_fold() -> None:
    assert themes.fold("Santé, ÉCOLE, maïs") == "sante, ecole, mais"


def test_plain_themes_are_found_with_their_quotes() -> None:
    texts = [t for group in CORPUS.values() for t in group]
    truth = [name for name, group in CORPUS.items() for _ in group]
    result = themes.find(texts, themes.Method(themes=3, min_df=2))
    assert adjusted_rand_score(truth, result.assignment) == 1.0
    for theme in result.themes:
        assert all(result.assignment[q] == theme.number for q in theme.quotes)
        assert theme.size == 4 and not set(theme.terms) & themes.STOP_WORDS
    named = {truth[t.quotes[0]]: t.terms for t in result.themes}
    assert any("rupture" in term for term in named["penurie"])


def test_no_text_no_theme() -> None:
    result = themes.find(["", "le la les", "   "], themes.Method(themes=3))
    assert result.themes == [] and result.assignment.tolist() == [-1, -1, -1]


def test_grand_debat_themes_beat_the_plain_baseline(shared_data: Path) -> None:
    """The 2,204 contributions, k = 20: adjusted mutual information with the human labels (each
    contribution's most frequent specific category), ours against TF-IDF + k-means (bench/themes.py)."""
    items = json.loads((shared_data / "grand-debat" / "annotated-contributions" / "idees_marquantes.json")
                       .read_text(encoding="utf-8"))
    generic = {"Idée marquée", "Z Autres", "A Aucun", "Sans réponse / Hors sujet / Inclassable"}
    texts, labels = [], []
    for item in items:
        counts = collections.Counter(c for c in item["Categories"] if c not in generic)
        texts.append(item["reponse"])
        labels.append(counts.most_common(1)[0][0] if counts else None)
    scored = [i for i, label in enumerate(labels) if label]
    ours = themes.find(texts, themes.Method(themes=20)).assignment
    plain = KMeans(n_clusters=20, n_init=10, random_state=0).fit_predict(TfidfVectorizer().fit_transform(texts))
    truth = [labels[i] for i in scored]
    ours_ami, plain_ami = (adjusted_mutual_info_score(truth, x[scored]) for x in (ours, plain))
    assert ours_ami > plain_ami + 0.03, (ours_ami, plain_ami)


def test_themes_command(tmp_path: Path) -> None:
    source = tmp_path / "contributions.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text"])
        for n, text in enumerate(t for group in CORPUS.values() for t in group):
            writer.writerow([f"c{n}", text])
    out = tmp_path / "themes.csv"
    result = CliRunner().invoke(app, ["concertation", "themes", "--input", str(source), "--out", str(out),
                                      "--themes", "3"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == [f"c{n}" for n in range(12)] and len({r["theme"] for r in rows}) == 3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"text": "ok"}, {"texte": "mal nommé"}]), encoding="utf-8")
    result = CliRunner().invoke(app, ["concertation", "themes", "--input", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "enregistrement 2" in result.output


def test_theme_words_keep_their_accents() -> None:
    texts = ["Il faut prévenir les patients des pénuries", "Prévenir avant la rupture de stock",
             "Les pénuries de médicaments inquiètent", "prevenir les pharmaciens à temps"] * 3
    words = {w for theme in themes.find(texts).themes for term in theme.terms for w in term.split()}
    assert {"prévenir", "pénuries", "médicaments"} <= words
    assert not {"prevenir", "penuries", "medicaments"} & words
