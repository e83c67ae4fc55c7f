"""Imports every domain's models so that the metadata knows all tables."""

from sentinelle.accounts import models as _accounts  # noqa: F401
from sentinelle.alternatives import models as _alternatives  # noqa: F401
from sentinelle.catalogue import models as _catalogue  # noqa: F401
from sentinelle.concertation import models as _concertation  # noqa: F401
from sentinelle.jobs import models as _jobs  # noqa: F401
from sentinelle.notifications import models as _notifications  # noqa: F401
from sentinelle.risk import models as _risk  # noqa: F401
from sentinelle.signals import models as _signals  # noqa: F401
from sentinelle.store.base import Base

metadata = Base.metadata
