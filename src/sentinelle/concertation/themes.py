"""Themes of free-text contributions in French: TF-IDF over words and pairs of words (French stop
words left out, accents folded), then non-negative matrix factorisation (NMF) into k themes. Each
theme is named by its heaviest terms and illustrated by the contributions that weigh most in it
(representative quotes); each contribution goes to its heaviest theme. Everything ships in
scikit-learn: nothing is downloaded at run time."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

from sentinelle.text import fold

# French function words and the commonest verbs of opinion, accents folded as the text is.
STOP_WORDS = frozenset("""
a ai aie aient aies ait alors as au aucun aucune aupres auquel aussi autre autres aux auxquelles auxquels avait
avaient avais avant avec avez aviez avions avoir avons ayant bon c ca car ce ceci cela celle celles celui cependant
certain certaine certaines certains ces cet cette ceux chacun chacune chaque chez ci comme comment d dans de des
deja depuis doit doivent donc dont du elle elles en encore entre es est et etaient etais etait etant ete etes etiez
etions etre eu eue eues eurent eus eut faire fait faut font fut il ils j je jusqu l la le les leur leurs lors lui
m ma mais me meme memes mes moi mon n ne ni non nos notre nous on ont or ou par parce pas peu peut peuvent plus pour
pourquoi qu quand que quel quelle quelles quels qui quoi s sa sans se selon sera seront ses si sien son sont sous
soit sur t ta tandis te tel telle tels tes toi ton tous tout toute toutes tres tu un une unes uns vers voila vos
votre vous y etc faudrait falloir il faut serait seraient pense penser crois trop bien tres beaucoup chose choses
cas fois afin ainsi aujourd hui tant autant plutot car donc puis via lequel laquelle lesquels lesquelles dont cela
celui celle ca c est n ce qu il elle on nous vous ils elles
""".split())



@dataclass(frozen=True)
class Method:
    themes: int = 20  # k
    min_df: int = 2  # a term is kept if at least this many contributions use it...
    max_df: float = 0.5  # ... and at most this share of them
    max_features: int = 50_000  # the vocabulary's size at most
    ngram_max: int = 2  # words and pairs of words
    terms: int = 8  # terms that name a theme
    quotes: int = 3  # representative quotes per theme
    seed: int = 0  # NMF's start (nndsvda is deterministic; the seed breaks its ties)


@dataclass
class Theme:
    number: int
    terms: list[str]
    quotes: list[int]  # indexes of the representative contributions, heaviest first
    size: int  # contributions whose heaviest theme it is


@dataclass
class Themes:
    themes: list[Theme]
    assignment: np.ndarray  # per contribution: its theme, or -1 when it has no term of the vocabulary


def find(texts: list[str], method: Method = Method()) -> Themes:
    """The themes of `texts` (any number; k is lowered when there are fewer contributions)."""
    vectorizer = TfidfVectorizer(preprocessor=fold, stop_words=sorted(STOP_WORDS), ngram_range=(1, method.ngram_max),
                                 min_df=min(method.min_df, max(1, len(texts) // 2)), max_df=method.max_df,
                                 max_features=method.max_features, sublinear_tf=True, token_pattern=r"(?u)\b[a-z]{3,}\b")
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term left at all
        return Themes([], np.full(len(texts), -1))
    k = max(1, min(method.themes, matrix.shape[0], matrix.shape[1]))
    model = NMF(n_components=k, init="nndsvda", random_state=method.seed, max_iter=400)
    weights = model.fit_transform(matrix)
    terms = np.array(vectorizer.get_feature_names_out())
    empty = weights.sum(axis=1) == 0
    assignment = np.where(empty, -1, weights.argmax(axis=1))
    written = _as_written(texts)
    themes = []
    for t in range(k):
        top = np.argsort(-model.components_[t])[:method.terms]
        members = np.flatnonzero(assignment == t)
        quotes = members[np.argsort(-weights[members, t])][:method.quotes].tolist()
        themes.append(Theme(t, [_named(term, written) for term in terms[top].tolist()], quotes, len(members)))
    return Themes(themes, assignment)


def _as_written(texts: list[str]) -> dict[str, str]:
    """Each folded word as people wrote it most often (« prevenir » → « prévenir »), so that a theme is
    named with its accents though the words were compared without them."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in re.findall(r"\w{3,}", text.lower()):
            seen.setdefault(fold(word), Counter())[word] += 1
    return {key: forms.most_common(1)[0][0] for key, forms in seen.items()}


def _named(term: str, written: dict[str, str]) -> str:
    return " ".join(written.get(word, word) for word in term.split())
