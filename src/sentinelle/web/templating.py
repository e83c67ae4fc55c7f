"""Jinja2 environment: French first, through Babel catalogues (English can follow)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from sentinelle.accounts import policy as accounts_policy
from sentinelle.accounts.roles import ROLE_LABELS
from sentinelle.catalogue import countries
from sentinelle.catalogue import policy as catalogue_policy
from sentinelle.catalogue.models import ORGANISATION_KIND_LABELS
from sentinelle.catalogue.regions import BY_CODE, REGIONS, outlines, region_name
from sentinelle.concertation import policy as concertation_policy
from sentinelle.concertation.ideas import THEME_LABELS
from sentinelle.concertation.models import MOTION_STATUS_LABELS, QUESTIONNAIRE_STATUS_LABELS
from sentinelle.i18n import translations
from sentinelle.interop import policy as interop_policy
from sentinelle.notifications.service import MAIL_FREQUENCIES
from sentinelle.risk import policy as risk_policy
from sentinelle.risk.models import (
    COMBINATION_LABELS,
    CRITERIA,
    CRITERION_LABELS,
    FOREIGN_SOURCE_LABELS,
    FOREIGN_STATUS_LABELS,
    INPUT_KIND_LABELS,
    LEVEL_LABELS,
    RISK_CLASS_LABELS,
    RISK_CLASSES,
)
from sentinelle.schemas_common import safe_url
from sentinelle.signals import policy as signals_policy
from sentinelle.signals.policy import public_view_only
from sentinelle.signals.states import (
    ACTION_LABELS,
    CAUSE_LABELS,
    KIND_LABELS,
    MEASURE_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from sentinelle.text import of
from sentinelle.validation import problem_text
from sentinelle.web.deps import csrf_token

HERE = Path(__file__).parent




def _fr_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def _fr_number(value: float | int | None, digits: int = 1) -> str:
    """A number as French writes it: decimal comma, a narrow space between thousands (« 1 234,5 »)."""
    if value is None:
        return "—"
    if value == 0:  # never « -0,00 »
        value = 0
    return format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""), locale="fr_FR")


def _fr_month(value: date) -> str:
    """A month on a chart's axis: « août 2026 »."""
    return format_date(value, "MMM y", locale="fr_FR")


templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                                           extensions=["jinja2.ext.i18n"]))
templates.env.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]
templates.env.filters["frdate"] = _fr_date
templates.env.filters["frnum"] = _fr_number
templates.env.filters["frmonth"] = _fr_month
templates.env.filters["region_name"] = region_name
templates.env.filters["of"] = of


def _http_url(url: str | None) -> str:
    """A link target only if it is http(s): what an import let through is checked again where it shows."""
    return url if url and safe_url(url) else ""


templates.env.filters["http_url"] = _http_url
templates.env.globals.update(
    STATUS_LABELS=STATUS_LABELS, KIND_LABELS=KIND_LABELS, SOURCE_LABELS=SOURCE_LABELS, ACTION_LABELS=ACTION_LABELS,
    REGIONS=REGIONS,
    REGIONS_BY_CODE=BY_CODE, REGION_OUTLINES=outlines, public_view_only=public_view_only,
    COUNTRY_NAME=countries.name, EU=countries.EU, INPUT_KIND_LABELS=INPUT_KIND_LABELS, LEVEL_LABELS=LEVEL_LABELS,
    CRITERIA=CRITERIA, CRITERION_LABELS=CRITERION_LABELS, RISK_CLASSES=RISK_CLASSES,
    RISK_CLASS_LABELS=RISK_CLASS_LABELS, COMBINATION_LABELS=COMBINATION_LABELS,
    FOREIGN_SOURCE_LABELS=FOREIGN_SOURCE_LABELS, FOREIGN_STATUS_LABELS=FOREIGN_STATUS_LABELS,
)

def polyline(values: list[float], lo: float, hi: float, width: float, height: float) -> str:
    """SVG polyline points of `values` spread over `width`, scaled from [lo, hi] to [height, 0]."""
    if not values:
        return ""
    span = (hi - lo) or 1.0
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - (min(max(v, lo), hi) - lo) / span * height:.1f}"
                    for i, v in enumerate(values))


templates.env.globals["polyline"] = polyline

templates.env.globals["ROLE_LABELS"] = ROLE_LABELS
templates.env.globals["problem_text"] = problem_text
# The codes an audit entry's before / after hold, by their labels.
templates.env.globals["AUDIT_VALUES"] = {
    "status": {**QUESTIONNAIRE_STATUS_LABELS, **MOTION_STATUS_LABELS, **STATUS_LABELS},  # a signal's label wins
    "kind": {**KIND_LABELS, **MEASURE_LABELS, **ORGANISATION_KIND_LABELS}, "cause": CAUSE_LABELS,
    "source": SOURCE_LABELS, "role": ROLE_LABELS, "theme": THEME_LABELS, "mail_frequency": MAIL_FREQUENCIES,
    "risk_class": RISK_CLASS_LABELS,
}
# What a page may offer its reader, asked of the policies (a template never tests a role itself).
templates.env.globals["can"] = {
    "declare": signals_policy.can_declare,
    "file_notice": signals_policy.can_file_notice,
    "declares_only_own_products": signals_policy.declares_only_own_products,
    "read_members_catalogue": catalogue_policy.can_read_members_catalogue,
    "import_ansm": interop_policy.can_import_ansm,
    "browse_audit": accounts_policy.can_browse_audit,
    "manage_concertation": concertation_policy.can_manage,
    "read_risk_mappings": risk_policy.can_read_mappings,
    "map_risks": risk_policy.can_map,
    "read_impact_statistics": risk_policy.reads_impact_statistics,
    "read_priority": risk_policy.reads_priority,
    "read_watch_list": risk_policy.reads_watch_list,
    "declare_supply": risk_policy.can_declare_supply,
}


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Any:
    ctx = {"user": getattr(request.state, "user", None), "csrf": csrf_token(request),
           "flash": request.session.pop("flash", None)}
    ctx.update(context or {})
    refusal = ctx.pop("refusal", None)
    if refusal is not None:  # a use case's refusal, shown over the form by the error summary (_errors.html)
        ctx.update(error=refusal.message, field=refusal.field, problems=refusal.problems)
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
