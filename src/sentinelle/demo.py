"""Realistic demo data: regions, sentinel and ordinary hospitals, manufacturers, products and
signals at every stage, built through the same services users go through."""

from __future__ import annotations

import os
import random
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import ROLE_LABELS, Role
from sentinelle.accounts.service import create_user
from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.alternatives import service as ratings
from sentinelle.catalogue import codes
from sentinelle.catalogue.models import EmdnCode, Organisation, Product, ProductionSite, ProductSite, Purchase
from sentinelle.catalogue.regions import REGIONS
from sentinelle.catalogue.service import add_member, create_organisation, create_product
from sentinelle.concertation import assembly, ideas, synthesis
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.default_questionnaire import DESCRIPTION, QUESTIONS, SLUG, TITLE
from sentinelle.concertation.models import PROFILES
from sentinelle.concertation.schemas import Question
from sentinelle.config import get_settings
from sentinelle.detection import detect
from sentinelle.detection.candidates import declare_alerts
from sentinelle.detection.ingest import connect, ingest
from sentinelle.detection.outside import known
from sentinelle.detection.simulate import Config, simulate
from sentinelle.risk import criticality, pieu
from sentinelle.risk.models import SupplyInput
from sentinelle.risk.schemas import ScoreIn
from sentinelle.risk.watch import DEFAULT as WATCHED
from sentinelle.signals import schemas, service
from sentinelle.text import fold, of

DEMO_PASSWORD = "seringue-bleue-lyon"
# Département numbers of a few towns per region, for plausible FINESS numbers.
DEPARTMENTS = {"11": "75", "24": "45", "27": "21", "28": "14", "32": "59", "44": "67", "52": "44", "53": "35",
               "75": "33", "76": "31", "84": "69", "93": "13", "94": "2A", "01": "97", "02": "97", "03": "97",
               "04": "97", "06": "97"}
CITIES = {"11": ["Paris", "Créteil"], "24": ["Orléans", "Tours"], "27": ["Dijon", "Besançon"], "28": ["Caen", "Rouen"],
          "32": ["Lille", "Amiens"], "44": ["Strasbourg", "Reims", "Nancy"], "52": ["Nantes", "Angers"],
          "53": ["Rennes", "Brest"], "75": ["Bordeaux", "Poitiers", "Limoges"], "76": ["Toulouse", "Montpellier"],
          "84": ["Lyon", "Grenoble", "Clermont-Ferrand"], "93": ["Marseille", "Nice"], "94": ["Ajaccio"],
          "01": ["Pointe-à-Pitre"], "02": ["Fort-de-France"], "03": ["Cayenne"], "04": ["Saint-Denis"],
          "06": ["Mamoudzou"]}
MANUFACTURERS = [("MédiSud Dispositifs", "FR"), ("Rhône Perfusion", "FR"), ("NordMed GmbH", "DE"),
                 ("Iberia Surgical", "ES"), ("Lombardia Medicale", "IT"), ("Shenzhen HealthTech", "CN"),
                 ("Bharat Devices", "IN"), ("Atlantic Care Inc.", "US")]
DEMO_RATINGS = """substance;seriousness;alternatives;union_list;source
amoxicilline;élevée;2;oui;démonstration : notes inventées, pas la liste de l'Union
quétiapine;élevée;1;non;démonstration : notes inventées
rispéridone;moyenne;3;non;démonstration : notes inventées
paracétamol;faible;9;non;démonstration : notes inventées
"""
DEVICE_PREFIXES = ("A01", "A02", "A03", "C01", "G02", "J01", "M02", "P07", "R01", "T01", "Z12")


@dataclass
class DemoSummary:
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # role (French), email, organisation, what to try
    products: int = 0
    signals: int = 0
    detected: int = 0  # of which raised by detection
    answers: int = 0  # to the default questionnaire


def find_data_dir() -> Path | None:
    """The shared public data sets: $SENTINELLE_DATA_DIR, else ./shared/data or ../shared/data."""
    candidates = [os.environ.get("SENTINELLE_DATA_DIR", ""), "shared/data", "../shared/data"]
    for candidate in candidates:
        if candidate and Path(candidate, "emdn").is_dir():
            return Path(candidate)
    return None


def _gtin(rng: random.Random) -> str:
    body = "3" + "".join(str(rng.randint(0, 9)) for _ in range(11))
    for key in "0123456789":
        if codes.gtin_ok(body + key):
            return body + key
    raise AssertionError("unreachable")


def _detection(session: Session, establishments: list[Organisation], products: list[Product]) -> int:

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        simulate(Config(days=400, seed=11, start=date.today() - timedelta(days=400), disruption_share=0.1,
                        establishment_ids=[(e.finess or "", e.region_code or "") for e in establishments],
                        product_ids=[p.gtin or str(p.id) for p in products]), folder)
        # Kept in the instance's detection store: the seasonal watch list reads its order lines.
        store = get_settings().detection_store()
        store.parent.mkdir(parents=True, exist_ok=True)
        con = connect(store)
        ingest(con, folder / "orders.csv", folder / "deliveries.csv")
        sentinels = [e.finess for e in establishments if e.sentinel and e.finess]
        outcome = declare_alerts(session, con, detect.detect(con, sentinels=sentinels, outside=known(session)))
        con.close()
    return outcome.created


def load(session: Session, *, seed: int = 2025, devices: int = 300) -> DemoSummary:
    rng = random.Random(seed)
    summary = DemoSummary()
    national = create_organisation(session, None, kind="national", name="ANSM — Agence nationale")
    purchaser = create_organisation(session, None, kind="purchaser", name="UniHA — achats hospitaliers")
    regions = {r.code: create_organisation(session, None, kind="region", name=f"ARS {r.name}", region_code=r.code)
               for r in REGIONS}
    establishments: list[Organisation] = []
    for r in REGIONS:
        cities = CITIES[r.code]
        for i, city in enumerate(cities):
            for j, label in enumerate(("CHU", "CH")):
                if r.code in ("01", "02", "03", "04", "06", "94") and j == 1:
                    continue
                dep = DEPARTMENTS[r.code]
                prefix = (dep + f"{rng.randint(0, 999999):06d}")[:8]
                finess = codes.finess_with_key(prefix)
                establishments.append(create_organisation(
                    session, None, kind="establishment", name=f"{label} {of(city)}", finess=finess,
                    region_code=r.code, sentinel=(label == "CHU" and i == 0)))
    manufacturers = [create_organisation(session, None, kind="manufacturer", name=n, country=c)
                     for n, c in MANUFACTURERS]
    for m in manufacturers:
        session.add(ProductionSite(manufacturer_id=m.id, name=f"Usine {m.name}", country=m.country or "FR"))
    session.flush()
    sites = {s.manufacturer_id: s for s in session.scalars(select(ProductionSite))}

    # Devices named after real EMDN terminal terms when the nomenclature is loaded.
    terms = list(session.execute(
        select(EmdnCode.code, EmdnCode.term).where(EmdnCode.terminal.is_(True)).order_by(EmdnCode.code)).all())
    pool = [t for t in terms if t[0].startswith(DEVICE_PREFIXES)] or terms
    products: list[Product] = []
    for i in range(devices):
        maker = manufacturers[i % len(manufacturers)]
        if pool:
            code, term = pool[rng.randrange(len(pool))]
            name = f"{term.capitalize()} — {maker.name} réf. {1000 + i}"
        else:
            code, name = None, f"Dispositif médical {i} — {maker.name}"
        product = create_product(session, None, kind="device", name=name[:480], emdn_code=code, gtin=_gtin(rng),
                                 manufacturer_id=maker.id, seasonal=rng.random() < 0.08, audit_it=False)
        session.add(ProductSite(product_id=product.id, site_id=sites[maker.id].id))
        products.append(product)
    # MédiSud also makes some of its devices in India, and declared single-source inputs for a few.
    pune = ProductionSite(manufacturer_id=manufacturers[0].id, name="Usine de Pune", country="IN")
    session.add(pune)
    session.flush()
    own = [p for p in products if p.manufacturer_id == manufacturers[0].id]
    for n, product in enumerate(own[:12]):
        session.add(ProductSite(product_id=product.id, site_id=pune.id))
        if n % 3 == 0:
            session.add(SupplyInput(product_id=product.id, manufacturer_id=manufacturers[0].id, sources=1,
                                    name="Polycarbonate de qualité médicale", kind="raw_material", origin_country="CN"))
    for est in establishments:
        for product in rng.sample(products, k=min(40, len(products))):
            session.add(Purchase(establishment_id=est.id, product_id=product.id))
    session.flush()
    summary.products = len(products)

    # One login per role, the sentinel CHU of Lyon and the ARS of its region first.
    lyon = next(e for e in establishments if e.name == "CHU de Lyon")
    paris = next(e for e in establishments if e.name == "CHU de Paris")
    accounts = [
        ("establishment", "pharmacie@chu-lyon.demo", "Dr Claire Martin", lyon,
         "Déclarer une tension, suivre ses déclarations, noter une alternative ; sa cartographie des risques"),
        ("establishment", "pharmacie@chu-paris.demo", "Dr Karim Benali", paris,
         "Déclarer le même produit qu'à Lyon ; cartographier ses risques en partant de celle de Lyon"),
        ("region", "omedit@ars-ara.demo", "Sophie Durand", regions["84"],
         "Qualifier les déclarations de la région ; la carte des risques de ses établissements"),
        ("region", "omedit@ars-idf.demo", "Paul Lefèvre", regions["11"], "Qualifier en Île-de-France"),
        ("national", "penuries@ansm.demo", "Hélène Moreau", national,
         "Valider, publier, mesures et alternatives ; import ANSM, journal d'audit"),
        ("manufacturer", "qualite@medisud.demo", "Marc Rossi", manufacturers[0],
         "Déposer un préavis d'interruption ; ses sites et intrants (Approvisionnement)"),
        ("manufacturer", "supply@nordmed.demo", "Anna Keller", manufacturers[2], "Préavis d'un autre fabricant"),
        ("purchaser", "achats@uniha.demo", "Julie Petit", purchaser, "Catalogue des adhérents"),
        ("citizen", "citoyen@exemple.demo", "Jean Dupont", None,
         "Répondre au questionnaire, voter ; siège au Parlement Santé"),
        ("guarantor", "garant@cndp.demo", "Marie Lambert", None, "Vérifier la synthèse et les réponses"),
    ]
    users: dict[str, User] = {}
    for role, email, name, org, hint in accounts:
        users[email] = create_user(session, None, email=email, name=name, password=DEMO_PASSWORD, role=role,
                                   organisation_id=org.id if org else None)
        summary.logins.append((ROLE_LABELS[Role(role)], email, org.name if org else "—", hint))
    # Lyon buys the manufacturers' first products, so that their notices reach it.
    for product in products[:16]:
        if not session.scalar(select(Purchase.id).where(Purchase.establishment_id == lyon.id,
                                                        Purchase.product_id == product.id)):
            session.add(Purchase(establishment_id=lyon.id, product_id=product.id))
    session.flush()

    today = date.today()
    staff = {e.id: create_user(session, None, email=f"pui-{e.finess}@demo.fr", name=f"PUI {e.name}",
                               password=DEMO_PASSWORD, role="establishment", organisation_id=e.id)
             for e in establishments if e.id not in (lyon.id, paris.id)}
    staff[lyon.id], staff[paris.id] = users["pharmacie@chu-lyon.demo"], users["pharmacie@chu-paris.demo"]
    region_agent = {"84": users["omedit@ars-ara.demo"], "11": users["omedit@ars-idf.demo"]}
    for code, org in regions.items():
        if code not in region_agent:
            region_agent[code] = create_user(session, None, email=f"omedit-{code}@demo.fr", name="Équipe OMEDIT",
                                             password=DEMO_PASSWORD, role="region", organisation_id=org.id)
    ansm = users["penuries@ansm.demo"]
    stages = ["declared"] * 14 + ["qualified"] * 8 + ["validated"] * 5 + ["published"] * 16 + ["resolved"] * 8 + [
        "rejected"] * 3
    kinds = ["tension"] * 6 + ["rupture"] * 3 + ["discontinuation"]
    for n, stage in enumerate(stages):
        est = establishments[rng.randrange(len(establishments))]
        product = products[(n * 7) % len(products)]
        start = today - timedelta(days=rng.randint(3, 120))
        data = schemas.DeclareIn(
            product_id=product.id, kind=rng.choice(kinds), cause=rng.choice(["production", "quality", "demand",
                                                                             "logistics", "unknown"]),
            started_at=start, expected_end_at=start + timedelta(days=rng.randint(20, 150)),
            stock_coverage_days=rng.randint(0, 45), measures_taken="Stock de sécurité mobilisé, commandes fractionnées.",
        )
        signal = service.declare(session, staff[est.id], data).signal
        summary.signals += 1
        if stage == "declared":
            continue
        steps = ["qualify", "validate", "publish", "resolve"]
        if stage == "rejected":
            steps = ["reject"]
        else:
            steps = steps[: ["qualified", "validated", "published", "resolved"].index(stage) + 1]
        for action in steps:
            actor = region_agent[est.region_code or ""] if action in ("qualify", "reject") else ansm
            message = None
            if action == "publish":
                message = (f"{product.name} : approvisionnement perturbé. Privilégiez les alternatives listées et "
                           "limitez les commandes aux besoins de quatre semaines.")
                service.add_measure(session, ansm, signal.id, schemas.MeasureIn(
                    kind=rng.choice(["quota", "allocation", "import", "contingency"]),
                    description="Contingentement des livraisons au prorata de la consommation 2024.",
                    version=signal.version))
            service.transition(session, actor, signal.id, schemas.TransitionIn(
                action=action, version=signal.version, reason="Doublon d'un signal national" if action == "reject" else "",
                public_message=message))
    # Regional-only tensions: qualified, then published by the region's agency alone.
    for n in range(3):
        est = next(e for e in establishments if e.region_code == ("84", "11", "93")[n])
        product = products[(n * 11 + 5) % len(products)]
        signal = service.declare(session, staff[est.id], schemas.DeclareIn(
            product_id=product.id, kind="tension", cause="logistics", started_at=today - timedelta(days=10 + n),
            expected_end_at=today + timedelta(days=30), stock_coverage_days=8,
            measures_taken="Dépannage entre établissements du territoire.")).signal
        agent = region_agent[est.region_code or ""]
        service.transition(session, agent, signal.id, schemas.TransitionIn(action="qualify", version=signal.version))
        service.transition(session, agent, signal.id, schemas.TransitionIn(
            action="publish_regional", version=signal.version,
            public_message=f"{product.name} : livraisons retardées chez le distributeur régional. Les établissements "
                           "de la région se dépannent entre eux ; pas de tension nationale."))
        summary.signals += 1
    # Alternatives on published shortages, rated by the hospitals that tried them.
    raters = [staff[e.id] for e in establishments[:12]]
    for signal in service.published(session, limit=12):
        if signal.status != "published":
            continue
        family = (signal.product.emdn_code or "")[:3]
        other = next((p for p in products if family and p.id != signal.product_id
                      and (p.emdn_code or "").startswith(family)), None)
        alt = alternatives.add(session, ansm, signal.id, alternative_schemas.AlternativeIn(
            description=f"Référence équivalente : {other.name}" if other else "Produit équivalent d'un autre fabricant",
            product_id=other.id if other else None, conditions="Vérifier la compatibilité avec les connectiques."))
        for rater in rng.sample(raters, k=rng.randint(0, 4)):
            ratings.rate(session, rater, alt.id, rng.randint(2, 5), rng.choice(
                ["", "Utilisée trois semaines sans incident.", "Formation des équipes nécessaire."]))
    # UniHA buys for a share of the hospitals (Lyon among them): it sees what they buy.
    for est in [lyon] + [e for e in establishments if e.id != lyon.id][::3]:
        add_member(session, None, purchaser.id, est.id)
    _risk_maps(session, [lyon] + [e for e in establishments if e.region_code == "84" and e.id != lyon.id], staff, rng)
    # A year of simulated order and delivery lines of these hospitals for 60 of these devices, with a
    # few injected disruptions: detection turns its alerts into candidate signals with their chart.
    _watched(session, products[:60])
    summary.detected = _detection(session, establishments, products[:60])
    summary.signals += summary.detected
    # Two notices from manufacturers: one on time, one late.
    maker_user = users["qualite@medisud.demo"]
    own = [p for p in products if p.manufacturer_id == manufacturers[0].id]
    service.file_notice(session, maker_user, schemas.NoticeIn(
        product_id=own[0].id, interruption_at=today + timedelta(days=240), cause="commercial",
        cause_detail="Arrêt de la gamme, remplacée par la référence suivante."))
    service.file_notice(session, maker_user, schemas.NoticeIn(
        product_id=own[1].id, kind="tension", interruption_at=today + timedelta(days=45), cause="production",
        cause_detail="Panne d'une ligne de stérilisation."))
    summary.signals += 2
    people = _questionnaire(session, ansm, rng)
    summary.answers = len(people)
    _assembly(session, ansm, [*people, users["citoyen@exemple.demo"]], rng)
    _ideas(session, ansm, people, rng)
    # A few Union-list ratings, invented for the demonstration (the published list is not shipped).
    criticality.import_csv(session, None, DEMO_RATINGS, "démonstration")
    return summary


def _watched(session: Session, products: list[Product]) -> None:
    """A few of the simulated devices fall in the seasonal watch list's categories, so that its page
    shows their weekly demand (the random names rarely land there)."""
    for product, (code, _reason, _waves) in zip(products[1::5], WATCHED, strict=False):
        term = session.scalar(select(EmdnCode.term).where(EmdnCode.code == code))
        if term is None:
            continue
        maker = product.name.split(" — ", 1)[-1]
        product.emdn_code = code
        product.name = f"{term.capitalize()} — {maker}"[:480]
        product.name_lower = fold(product.name)
    session.flush()


def _risk_maps(session: Session, region: list[Organisation], staff: dict[int, User], rng: random.Random) -> None:
    """Lyon's P.I.E.U mapping of the EMDN groups it buys, shared as a reference; half of the other
    hospitals of its region start from it and change a few scores; Paris has none yet (it can start
    from Lyon's)."""
    lyon, others = region[0], region[1:]
    groups = sorted({(p.emdn_code or "")[:3] for p in session.scalars(
        select(Product).join(Purchase, Purchase.product_id == Product.id)
        .where(Purchase.establishment_id == lyon.id, Product.emdn_code.is_not(None)))} - {""})
    if not groups:  # no EMDN nomenclature loaded: no category to map
        return
    mapping = pieu.start(session, staff[lyon.id]).mapping
    for code in groups[:14]:
        values = [rng.choice((1, 2, 2, 3, 3, 4)) for _ in range(4)]
        pieu.set_score(session, staff[lyon.id], mapping.id, ScoreIn(
            emdn_code=code, p=values[0], i=values[1], e=values[2], u=values[3],
            note=rng.choice(["", "Néonatologie et pédiatrie : pas d'alternative adaptée.", "Bloc opératoire.",
                             "Deux fournisseurs référencés."])))
    pieu.share(session, staff[lyon.id], mapping.id, True)
    for est in others[::2]:
        own = pieu.start(session, staff[est.id], reference_id=mapping.id).mapping
        for row in rng.sample(pieu.rows(session, own), k=min(3, len(groups))):
            s = row.score
            pieu.set_score(session, staff[est.id], own.id, ScoreIn(
                emdn_code=s.emdn_code, p=s.p, i=max(1, min(4, s.i + rng.choice((-1, 1)))), e=s.e,
                u=max(1, min(4, s.u + rng.choice((-1, 1))))))


IDEAS = [
    ("access", "Prévenir les patients dès qu'un médicament risque de manquer",
     "Un message de la pharmacie avant la rupture, pas après."),
    ("access", "Une liste publique et à jour des médicaments en tension", ""),
    ("efficiency", "Mutualiser les stocks de dispositifs entre hôpitaux d'un même GHT", ""),
    ("efficiency", "Autoriser le pharmacien à substituer sans nouvelle ordonnance en cas de rupture", ""),
    ("territories", "Relocaliser en Europe la production des médicaments essentiels",
     "Quitte à payer un peu plus cher les produits les plus critiques."),
    ("territories", "Des stocks de sécurité tenus par chaque région", ""),
]


def _ideas(session: Session, ansm: User, people: list[User], rng: random.Random) -> None:
    """A few ideas of the demo citizens with votes from two camps, a comment, and a synthesis whose
    sentences cite them (the guarantor's coverage view shows what it leaves out)."""

    posted = [ideas.post(session, people[n % len(people)], theme, title, body)
              for n, (theme, title, body) in enumerate(IDEAS)]
    for n, person in enumerate(people):
        camp = n % 3 == 0  # a third leans to producing in Europe, the rest to information
        for k, idea in enumerate(posted):
            leaning = 1 if (k >= 4) == camp else rng.choice((-1, 0, 1))
            ideas.vote(session, person, idea.id, leaning)
    reply = ideas.comment(session, people[1], posted[2].id, "Avec un stock tampon géré par la pharmacie du GHT.")
    synthesis.create(session, ansm, "bilan-concertation", "Bilan de la concertation (démonstration)")
    synthesis.add_sentence(session, ansm, "bilan-concertation",
                           "Les participants demandent d'abord à être prévenus avant une rupture, et une liste "
                           "publique des médicaments en tension.", [("idea", posted[0].id), ("idea", posted[1].id)])
    synthesis.add_sentence(session, ansm, "bilan-concertation",
                           "Les hôpitaux proposent de mutualiser leurs stocks au sein des groupements.",
                           [("idea", posted[2].id), ("comment", reply.id)])
    quoted = [f for f in qs.texts_of(session, qs.get(session, SLUG)) if "équivalent" in f.quote()][:2]
    if quoted:
        synthesis.add_sentence(session, ansm, "bilan-concertation",
                               "Au questionnaire, des répondants demandent que le pharmacien puisse substituer "
                               "un équivalent.", [("answer", f.response_id) for f in quoted])


def random_answers(rng: random.Random, questions: list[Any]) -> dict[str, object]:
    """Plausible answers to `questions` (schemas.Question), drawn at random: every choice question, a
    free text now and then."""
    answers: dict[str, object] = {}
    for q in questions:
        keys = [o.key for o in q.options]
        if q.kind == "single":
            answers[q.key] = rng.choice(keys)
        elif q.kind == "multiple":
            answers[q.key] = rng.sample(keys, rng.randint(1, q.max_choices or 2))
        elif q.kind == "scale":
            answers[q.key] = rng.randint(q.scale_min, q.scale_max)
        elif q.kind == "ranking":
            answers[q.key] = rng.sample(keys, len(keys))
        elif rng.random() < 0.3:
            answers[q.key] = rng.choice(FREE_TEXTS)
    return answers


FREE_TEXTS = (
    "Prévenir plus tôt quand un médicament va manquer.",
    "Que le pharmacien puisse proposer directement un équivalent en cas de rupture.",
    "Produire en Europe les médicaments essentiels, même un peu plus cher.",
    "Une application qui dit dans quelle pharmacie le médicament est disponible.",
    "Mieux informer les patients sur les raisons des pénuries.",
)


def _questionnaire(session: Session, ansm: User, rng: random.Random, respondents: int = 60) -> list[User]:
    """The default questionnaire, open, with answers from demo citizens (each an account: one answer
    per person). The demo citizen of the logins has not answered, so that one can try."""

    qs.create(session, ansm, SLUG, TITLE, QUESTIONS, description=DESCRIPTION)
    qs.set_status(session, ansm, SLUG, "open")
    questions = [Question.model_validate(q) for q in QUESTIONS]
    regions = [r.code for r in REGIONS]
    people = []
    for n in range(respondents):
        person = create_user(session, None, email=f"citoyen-{n}@demo.fr", name=f"Citoyen {n}",
                             password=DEMO_PASSWORD, role="citizen")
        answers = random_answers(rng, questions)
        qs.answer(session, person, SLUG, answers, profile=rng.choice(PROFILES), region=rng.choice(regions))
        people.append(person)
    return people


def _assembly(session: Session, ansm: User, people: list[User], rng: random.Random) -> None:
    """The « Parlement Santé » drawn from the demo citizens (the demo citizen of the logins sits, to
    try voting), a sitting with a motion decided and one open to the vote."""

    regions = [r.code for r in REGIONS]
    assembly.create(session, ansm, "parlement-sante", "Parlement Santé", seats=len(people))
    for person in people:
        assembly.volunteer(session, person, "parlement-sante", rng.choice(PROFILES), rng.choice(regions))
    assembly.draw(session, ansm, "parlement-sante", date.today().year, f"demo-{date.today().year}-graine")
    sitting = assembly.open_sitting(session, ansm, "parlement-sante", "Séance sur les pénuries de l'hiver")
    decided = assembly.propose(session, ansm, sitting.id, "Publier la liste des médicaments en tension chaque semaine")
    for person in people[:40]:
        assembly.vote(session, person, decided.id, rng.choice(("pour", "pour", "contre", "abstention")))
    assembly.close(session, ansm, decided.id)
    assembly.propose(session, ansm, sitting.id, "Constituer des stocks de sécurité régionaux",
                     "Chaque région tient trois mois de stock des dispositifs essentiels.")
