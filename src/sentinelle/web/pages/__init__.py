from fastapi import APIRouter, Depends

from sentinelle.web.deps import COMMIT, current_user
from sentinelle.web.pages import (
    account,
    assembly,
    catalogue,
    home,
    ideas,
    public,
    questionnaires,
    risk,
    signals,
    supply,
    synthesis,
)

# Every page shows who is logged in: the user is loaded once per request for all of them; every
# request commits once, when its view returned (deps.unit_of_work).
router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), COMMIT])
router.include_router(home.router)
router.include_router(account.router)
router.include_router(signals.router)
router.include_router(public.router)
router.include_router(catalogue.router)
router.include_router(questionnaires.router)
router.include_router(ideas.router)
router.include_router(assembly.router)
router.include_router(synthesis.router)
router.include_router(risk.router)
router.include_router(supply.router)
