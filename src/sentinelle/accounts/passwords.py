"""Password strength, after the French cybersecurity agency (ANSSI, « Recommandations relatives à
l'authentification multifacteur et aux mots de passe », 2021): a length floor rather than composition
rules, and a refusal of the passwords an attacker tries first — estimated by zxcvbn (dictionaries of
common passwords, words, names, keyboard walks, repeats, sequences and dates) with, as words it must
also try first, the commonest French passwords, the service's own vocabulary and the person's name
and address. Log-ins are throttled and hashed with argon2id, so a score of 3 (about 10^8 guesses)
is asked: beyond what an online attacker gets through, as the ANSSI's guide allows."""

from __future__ import annotations

from zxcvbn import zxcvbn

from sentinelle.errors import Invalid

MIN_LENGTH = 12
MAX_LENGTH = 256  # zxcvbn's time grows with the length; a passphrase fits well within
MIN_SCORE = 3

# Among the commonest French passwords and words (besides zxcvbn's own English lists), and this
# service's own words: each is tried early by any attacker who knows where they are.
FRENCH = (
    "azerty azertyuiop qwertz motdepasse motdepasse1 mdp soleil bonjour doudou chouchou loulou coucou "
    "jetaime jetaime1 amour moncoeur bisous nounours chocolat princesse maman papa famille marseille "
    "paris lyon toulouse bordeaux nantes lille france liberte vacances football olympique nicolas julien "
    "thomas camille marie sophie pierre alexandre antoine maxime chouette bienvenue secret tresor "
    "sentinelle penurie penuries tension rupture pharmacie pharmacien hopital clinique chu ars ansm "
    "omedit sante medicament dispositif seringue demo admin administrateur utilisateur"
).split()

PATTERNS = {
    "repeat": "une répétition (« aaaa », « abcabc »)",
    "sequence": "une suite (« 1234 », « abcd »)",
    "spatial": "une suite de touches du clavier (« azerty », « qsdf »)",
    "date": "une date",
    "dictionary": "un mot courant, un prénom, votre nom ou un mot de passe très répandu",
}


def check(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse, saying why in French, a password too short, too long or among the first tried."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"le mot de passe doit compter au moins {MIN_LENGTH} caractères (l'ANSSI recommande "
                      "la longueur : une phrase de passe de quelques mots convient)", "password")
    if len(password) > MAX_LENGTH:
        raise Invalid(f"le mot de passe compte au plus {MAX_LENGTH} caractères", "password")
    personal = [p for p in (email, email.split("@")[0], *name.split()) if p]
    result = zxcvbn(password, user_inputs=[*FRENCH, *personal])
    if result["score"] >= MIN_SCORE:
        return
    found = [PATTERNS[m["pattern"]] for m in result["sequence"] if m["pattern"] in PATTERNS]
    why = f" : il repose sur {', '.join(dict.fromkeys(found))}" if found else ""
    raise Invalid(f"mot de passe trop facile à deviner{why}. Choisissez-en un plus long, par exemple "
                  "quatre mots sans lien entre eux séparés par des tirets", "password")
