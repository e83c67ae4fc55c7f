from fastapi import APIRouter

from sentinelle.web.api import (
    account,
    alternatives,
    assembly,
    catalogue,
    concertation,
    public,
    risk,
    signals,
    synthesis,
)
from sentinelle.web.deps import COMMIT

# Every request commits once, when its view returned (deps.unit_of_work).
router = APIRouter(dependencies=[COMMIT])
router.include_router(signals.router)
router.include_router(catalogue.router)
router.include_router(alternatives.router)
router.include_router(public.router)
router.include_router(account.router)
router.include_router(concertation.router)
router.include_router(assembly.router)
router.include_router(synthesis.router)
router.include_router(risk.router)
router.include_router(risk.impact_router)
router.include_router(risk.priority_router)
router.include_router(risk.watch_router)
router.include_router(risk.ranking_router)
router.include_router(risk.supply_router)
