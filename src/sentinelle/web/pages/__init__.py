from fastapi import APIRouter

from sentinelle.web.pages import account, home, public, signals

router = APIRouter(include_in_schema=False)
router.include_router(home.router)
router.include_router(account.router)
router.include_router(signals.router)
router.include_router(public.router)
