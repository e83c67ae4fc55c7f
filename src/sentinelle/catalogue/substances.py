"""One key per active substance, from a French name (the BDPM's composition) or an English one (the
FDA's, the EMA's): what matches a French speciality to a shortage posted abroad.

The key is the substance's moiety, its salt, hydrate and dosage form left out, each word folded and
stemmed so that the French and English spellings of an international non-proprietary name meet
(« amoxicilline » and « amoxicillin », « acide valproïque » and « valproic acid »); the names the
United States spell their own way are translated to the INN (« acetaminophen » is paracetamol). A
combination's key joins its substances' keys. It errs on the side of missing a match: a key that
leaves nothing after the salts are taken out keeps its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sentinelle.text import fold

# Dosage forms and packaging words of the FDA's generic names (« Morphine Sulfate Injection »).
FORM_WORDS = frozenset("""
injection injectable injections tablet tablets capsule capsules oral solution solutions suspension extended release
delayed usp powder for cream ointment gel film coated chewable orally disintegrating kit vial vials premix in bag
concentrate emulsion lyophilized liquid syrup elixir patch transdermal inhalation aerosol nasal spray ophthalmic otic
topical rectal suppository vaginal sterile sublingual buccal lozenge granules pellets implant system prefilled
syringe single dose multiple multi preservative free and with er xr sr dr odt ir hcl intravenous intramuscular
subcutaneous use only pen cartridge auto injector unit bottle plastic glass container
""".split())
# Salts and counter-ions, French and English, each with its English name: a moiety's key leaves them
# out; a name made of salts only (« chlorure de potassium ») keeps them, in English, so that both
# languages meet (« potassium chloride »).
SALTS = {
    "hydrochloride": "hydrochloride", "chlorhydrate": "hydrochloride", "hydrochlorure": "hydrochloride",
    "dihydrochloride": "hydrochloride", "dichlorhydrate": "hydrochloride", "sulfate": "sulfate",
    "sulphate": "sulfate", "hydrogenosulfate": "sulfate", "sodium": "sodium", "sodique": "sodium",
    "disodique": "sodium", "disodium": "sodium", "potassium": "potassium", "potassique": "potassium",
    "calcium": "calcium", "calcique": "calcium", "magnesium": "magnesium", "magnesique": "magnesium",
    "phosphate": "phosphate", "acetate": "acetate", "citrate": "citrate", "tartrate": "tartrate",
    "bitartrate": "tartrate", "hydrogenotartrate": "tartrate", "maleate": "maleate", "mesylate": "mesylate",
    "mesilate": "mesylate", "dimesylate": "mesylate", "besylate": "besylate", "besilate": "besylate",
    "fumarate": "fumarate", "succinate": "succinate", "bromide": "bromide", "bromure": "bromide",
    "hydrobromide": "bromide", "bromhydrate": "bromide", "chloride": "chloride", "chlorure": "chloride",
    "iodide": "iodide", "iodure": "iodide", "lactate": "lactate", "gluconate": "gluconate", "nitrate": "nitrate",
    "tromethamine": "tromethamine", "trometamol": "tromethamine", "meglumine": "meglumine",
    "saccharate": "saccharate", "methylbromide": "bromide", "lysinate": "lysine", "bicarbonate": "bicarbonate",
    "hydrogenocarbonate": "bicarbonate", "carbonate": "carbonate", "oxide": "oxide", "oxyde": "oxide",
}
# Words that say in which form the moiety is weighed, never which: « AMOXICILLINE BASE ».
FORM_OF_MOIETY = frozenset({"base", "equivalent", "exprime", "exprimee", "sous", "forme", "en"})
# Hydrates and anhydrous forms, in both languages (« trihydratée », « monohydrate »): always left out.
HYDRATE = re.compile(r"^(an)?(mono|di|tri|tetra|penta|hexa|hepta|octa|hemi|sesqui)?hydra(te|tee|tes|tees|ted)?$|^anhydre$")
# Words that join, never name: « chlorure de potassium ».
LINKS = frozenset({"de", "d", "du", "l", "la", "le", "of"})


# United States names and their international non-proprietary names (the key is the INN's).
US_NAMES = {
    "acetaminophen": "paracetamol", "epinephrine": "adrenaline", "norepinephrine": "noradrenaline",
    "albuterol": "salbutamol", "meperidine": "pethidine", "glyburide": "glibenclamide",
    "cyclosporine": "ciclosporine", "dextroamphetamine": "dexamfetamine", "amphetamine": "amfetamine",
    "lisdexamfetamine": "lisdexamfetamine", "dextrose": "glucose", "isoproterenol": "isoprenaline",
    "rifampin": "rifampicine", "cromolyn": "cromoglicate", "levalbuterol": "levosalbutamol",
    "furosemide": "furosemide", "methamphetamine": "metamfetamine", "penicillin": "benzylpenicilline",
    "valproate": "valproique", "divalproex": "valproique", "nitroglycerin": "trinitrine",
    "leucovorin": "folinique", "thiamine": "thiamine", "tpa": "alteplase", "succinylcholine": "suxamethonium",
}


def _stem(word: str) -> str:
    """French and English spellings of one INN brought together: -ique and -ic, a final -e dropped,
    the French « ph », « th », « y » kept as the English has them (the INN has them too)."""
    word = re.sub(r"ique$", "ic", word)
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word.replace("acide", "acid")


def moiety(name: str, *, english: bool = False) -> str:
    """The key of one substance's name."""
    text = fold(name)
    if english:  # « Heparin Sodium in Dextrose Injection »: what follows « in » is the diluent
        text = re.split(r"\bin\b", text)[0]
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and not w[0].isdigit()]
    words = [w for w in words if w not in LINKS and w not in FORM_OF_MOIETY and not HYDRATE.match(w)]
    if english:
        words = [US_NAMES.get(w, w) for w in words if w not in FORM_WORDS]
    core = [w for w in words if w not in SALTS] or [SALTS.get(w, w) for w in words]
    return " ".join(sorted({_stem(w) for w in core}))


def key(names: Iterable[str], *, english: bool = False) -> str:
    """The key of a speciality's (or a shortage's) substances: their moieties joined, in order."""
    parts = sorted({moiety(n, english=english) for n in names} - {""})
    return "+".join(parts)


def english_names(generic_name: str) -> list[str]:
    """An FDA generic name's substances: « Acetaminophen; Oxycodone Hydrochloride Tablet » is two."""
    return [part for part in re.split(r";|,| and ", generic_name) if part.strip()]
