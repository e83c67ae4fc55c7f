"""Each person chooses how notifications reach them by e-mail: at once, a daily digest, or never."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.config import Settings
from sentinelle.errors import Invalid
from sentinelle.notifications import service as notifications
from sentinelle.notifications.models import Delivery, Notification
from sentinelle.signals import service
from sentinelle.store.base import utcnow
from tests.factories import World, act, declaration


def _mails(session: Session, email: str) -> list[Delivery]:
    return list(session.scalars(select(Delivery).where(Delivery.channel == "email", Delivery.target == email)))


def test_immediate_daily_or_never(session: Session, world: World) -> None:
    region, national = world.users["region84"], world.users["national"]
    notifications.set_mail_frequency(session, region, "daily")
    notifications.set_mail_frequency(session, national, "none")
    with pytest.raises(Invalid):
        notifications.set_mail_frequency(session, national, "hourly")
    region.digest_sent_at = utcnow() - timedelta(hours=1)
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    act(session, region, signal, "qualify")
    session.flush()
    # Everyone has the line in their inbox; only who chose "immediate" got an e-mail for it.
    assert session.scalars(select(Notification).where(Notification.user_id == region.id)).all()
    assert session.scalars(select(Notification).where(Notification.user_id == national.id)).all()
    assert _mails(session, region.email) == [] and _mails(session, national.email) == []
    # The digest: one e-mail with each line, the region's only; a second run the same day adds nothing.
    assert notifications.digest(session) == 1
    [mail] = _mails(session, region.email)
    assert mail.subject.startswith("[Sentinelle] Votre résumé du jour : ")
    assert "Seringue 10 mL Luer lock" in mail.payload["digest"]
    assert notifications.digest(session) == 0 and len(_mails(session, region.email)) == 1
    # The e-mail a person reads: the lines, links to each signal, where to change the choice.
    text = notifications._email(Settings(base_url="https://sentinelle.example"), mail).get_content()
    assert "https://sentinelle.example/signaux/" in text and "https://sentinelle.example/compte" in text
    assert "{base}" not in text


def test_an_immediate_mail_names_kind_and_state_in_words(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    act(session, world.users["region84"], signal, "qualify")
    session.flush()
    mail = _mails(session, world.users["lyon"].email)[-1]
    text = notifications._email(Settings(), mail).get_content()
    assert "Tension d'approvisionnement" in text and "Qualifié (région)" in text
    assert "tension," not in text and "qualified" not in text
