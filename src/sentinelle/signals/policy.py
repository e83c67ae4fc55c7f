"""Who may see and do what on signals. One function per action; `visible_to` is the one
source of truth for reading, used for lists and single signals alike."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select, true, union
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import PUBLIC_ROLES, Role
from sentinelle.catalogue.models import Membership, Product, ProductSupplier, Purchase
from sentinelle.signals.models import Declarer, Signal
from sentinelle.signals.states import TERMINAL

DECLARING_ROLES = (Role.ESTABLISHMENT, Role.MANUFACTURER, Role.REGION, Role.NATIONAL)


def reads_everything(user: User | None) -> bool:
    """The national agency reads every signal, published or not."""
    return user is not None and user.role == Role.NATIONAL


def declares_in_region(user: User) -> bool:
    """A hospital's or a region's declaration is its region's; a manufacturer's or the nation's is national."""
    return user.role in (Role.ESTABLISHMENT, Role.REGION)


def public_view_only(user: User | None) -> bool:
    return user is None or user.role in PUBLIC_ROLES


def reads_internal(session: Session, user: User | None, signal: Signal) -> bool:
    """Who reads a signal's internal timeline (comments, notes typed with an action, updates).

    The agencies (`reads_agency_side`); the organisations whose declaration was admitted on it (a
    manufacturer's own notice included); for a tension raised by detection, the establishments buying
    the product within its scope, whom it concerns. Publication changes none of this: other hospitals
    and manufacturers read the public record, plus the measures a declarer chose to share
    (`shared_measures`). Who declared, and what they remarked, stays the agencies' alone."""
    if user is None or public_view_only(user):
        return False
    if user.role in (Role.NATIONAL, Role.REGION):
        return reads_agency_side(user, signal)
    org_id = user.organisation_id
    if org_id is None:
        return False
    if is_declarer(user, signal):
        return True
    if signal.source == "detection" and user.role == Role.ESTABLISHMENT and (
            signal.region_code is None or signal.region_code == user.region_code):
        return session.scalar(select(Purchase.id).where(Purchase.establishment_id == org_id,
                                                        Purchase.product_id == signal.product_id)) is not None
    return False


def reads_agency_side(user: User | None, signal: Signal) -> bool:
    """Every declarer's identity, own remarks and measures: the national agency and the signal's region.
    A co-declarer reads the signal's internal history but not the other declarers' names or remarks."""
    return user is not None and (user.role == Role.NATIONAL or (
        user.role == Role.REGION and signal.region_code is not None and signal.region_code == user.region_code))


def is_author(user: User | None, signal: Signal) -> bool:
    """The organisation that opened the signal (its cause detail and measures are its own remarks)."""
    return user is not None and user.organisation_id is not None and signal.organisation_id == user.organisation_id


def reads_shared_measures(user: User | None) -> bool:
    """The measures a declarer chose to share are for the other buyers: hospitals and purchasing groups."""
    return user is not None and user.role in (Role.ESTABLISHMENT, Role.PURCHASER, Role.REGION, Role.NATIONAL)


def private_ids(user: User | None) -> Select[int] | None:
    """Ids of the unpublished signals `user` may read besides the public record; None when there are none.

    Before publication a declaration is seen by its declarers and its region's agency (a tension
    raised by detection, by the buyers of the product in its scope as well); a manufacturer's notice is
    confidential to the manufacturer, the national agency, the establishments that buy the product and
    the purchasing groups those establishments belong to. Uncorrelated sets: the database builds each
    once per query.
    """
    if user is None or public_view_only(user) or user.role == Role.NATIONAL:
        return None
    org_id = user.organisation_id
    sets: list[Select[int]] = []
    if org_id:
        # Only an admitted declaration opens the signal to its author (a declaration grants nothing).
        sets.append(select(Declarer.signal_id).where(Declarer.organisation_id == org_id, Declarer.admitted.is_(True)))
    if user.role == Role.REGION and user.region_code:
        sets.append(select(Signal.id).where(Signal.region_code == user.region_code, Signal.confidential.is_(False)))
    if user.role == Role.ESTABLISHMENT and org_id:
        bought = select(Purchase.product_id).where(Purchase.establishment_id == org_id)
        sets.append(select(Signal.id).where(Signal.product_id.in_(bought), Signal.confidential.is_(True)))
        # A tension raised by detection concerns the buyers of the product within its scope.
        sets.append(select(Signal.id).where(
            Signal.product_id.in_(bought), Signal.source == "detection",
            or_(Signal.region_code.is_(None), Signal.region_code == user.region_code)))
    if user.role == Role.PURCHASER and org_id:
        # A purchasing group is a customer concerned by the notices on what its members buy.
        bought = (select(Purchase.product_id).join(Membership, Membership.establishment_id == Purchase.establishment_id)
                  .where(Membership.purchaser_id == org_id))
        sets.append(select(Signal.id).where(Signal.product_id.in_(bought), Signal.confidential.is_(True)))
    if user.role == Role.MANUFACTURER and org_id:
        sets.append(select(Signal.id).where(Signal.organisation_id == org_id))
    if not sets:
        return None
    return sets[0] if len(sets) == 1 else union(*sets)  # type: ignore[return-value]


def visible_to(user: User | None) -> ColumnElement[bool]:
    """SQL condition: the signals `user` may read. Published ones (even once resolved) are public;
    the national agency reads everything; others add their `private_ids`."""
    if user is not None and user.role == Role.NATIONAL:
        return true()
    public = Signal.published_at.is_not(None)
    private = private_ids(user)
    return public if private is None else or_(public, Signal.id.in_(private))


def can_declare(user: User | None) -> bool:
    return user is not None and user.role in DECLARING_ROLES


def can_file_notice(user: User | None) -> bool:
    return user is not None and user.role == Role.MANUFACTURER and user.organisation_id is not None


def can_transition(user: User | None, signal: Signal, action: str) -> bool:
    if user is None:
        return False
    if user.role == Role.NATIONAL:
        return True
    if user.role != Role.REGION or signal.region_code is None or signal.region_code != user.region_code:
        return False
    if action in ("qualify", "reject", "merge"):
        return signal.status == "declared"
    if action == "publish_regional":
        return True
    # The region closes what it published itself.
    return action == "resolve" and signal.scope == "regional"


def can_comment(session: Session, user: User | None, signal: Signal) -> bool:
    """Comments are internal: those who read the internal side write there."""
    return reads_internal(session, user, signal)


def is_declarer(user: User | None, signal: Signal) -> bool:
    return user is not None and any(d.organisation_id == user.organisation_id and d.admitted
                                    for d in signal.declarers)


def can_admit(user: User | None, signal: Signal) -> bool:
    """Admitting a waiting declaration (its author then reads the signal): the signal's region or the nation."""
    return signal.status not in TERMINAL and reads_agency_side(user, signal)


def declares_only_own_products(user: User | None) -> bool:
    """A manufacturer declares only on the products it makes or distributes (its notices are apart),
    and keeps its measures to itself (sharing them is for buyers)."""
    return user is not None and user.role == Role.MANUFACTURER


def can_declare_on(session: Session, user: User, product_id: int) -> bool:
    if not declares_only_own_products(user):
        return True
    org_id = user.organisation_id
    return session.scalar(select(Product.id).where(Product.id == product_id, Product.manufacturer_id == org_id)) \
        is not None or session.scalar(select(ProductSupplier.product_id).where(
            ProductSupplier.product_id == product_id, ProductSupplier.supplier_id == org_id)) is not None


def can_update(user: User | None, signal: Signal) -> bool:
    """Edit the facts (expected end, coverage, measures taken) while the signal is open."""
    if user is None or signal.status in TERMINAL:
        return False
    if user.role == Role.NATIONAL:
        return True
    if user.role == Role.REGION:
        return signal.region_code == user.region_code and signal.status in ("declared", "qualified")
    # The facts are its author's: a co-declarer's own facts are its own declaration's.
    return is_author(user, signal) and is_declarer(user, signal) and signal.status != "published"


def can_manage_publication(user: User | None, signal: Signal) -> bool:
    """Public message, management measures, alternatives: the national agency's part."""
    return user is not None and user.role == Role.NATIONAL


DECLARE_REFUSAL = "votre rôle ne permet pas de déclarer une tension"
DECLARE_ANONYMOUS = "connectez-vous pour déclarer"
