"""What axe-core does not see, checked as the RGAA asks: a phone screen never scrolls sideways, each
page has its own title, the focus is visible and follows the reading order, the English of the EMDN
terms is marked as such; and the pages wear the State's design system, served from here."""

from __future__ import annotations

import itertools

import pytest

from sentinelle.catalogue.models import EmdnCode
from sentinelle.store.db import session_factory
from tests.browser.conftest import Site
from tests.browser.test_flow import PAGES, log_in
from tests.factories import World, published_signal

pytestmark = pytest.mark.browser

# Each element that sticks out past the right edge of the screen while its parent does not (the
# culprit, not its children), with the page's scroll width.
SIDEWAYS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
    if (r.width > 0 && r.right > innerWidth + 1 && p.right <= innerWidth + 1 && getComputedStyle(el).position !== 'fixed')
      out.push(el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' → ' + Math.round(r.right) + ' px');
  }
  return {width: document.documentElement.scrollWidth, culprits: out.slice(0, 5)};
}"""


def _with_a_signal(site: Site) -> None:
    """Signal 1, published, so that its pages exist."""
    with session_factory(site.engine)() as s:
        w = site.world
        published_signal(s, World(users={k: s.merge(u) for k, u in w.users.items()},
                                  orgs={k: s.merge(o) for k, o in w.orgs.items()},
                                  products=[s.merge(p) for p in w.products]))


def _visit_all(page, site: Site, check) -> list[str]:  # type: ignore[no-untyped-def]
    """Each main page of each role (PAGES), with what `check(path)` found wrong there."""
    _with_a_signal(site)
    problems: list[str] = []
    for who, paths in PAGES.items():
        if who:
            log_in(page, site, who)
        for path in paths:
            response = page.goto(site.url + path)
            assert response.status == 200, path
            problems += [f"{path} ({who or 'anonyme'}) : {p}" for p in check(path)]
        if who:
            page.context.clear_cookies()  # logged out (on a phone the button is behind the menu)
    return problems


def test_no_page_scrolls_sideways_on_a_phone(browser, site: Site) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def check(path: str) -> list[str]:
        seen = page.evaluate(SIDEWAYS)
        return [f"{seen['width']} px de large : {seen['culprits']}"] if seen["width"] > 390 else []

    problems = _visit_all(page, site, check)
    context.close()
    assert not problems, "\n".join(problems)


def test_each_page_has_its_own_title_and_no_forced_tab_order(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    titles: dict[str, str] = {}

    def check(path: str) -> list[str]:
        title = page.title()
        titles[path] = title
        found = []
        if not title.endswith(" — Sentinelle") or title == "Sentinelle — Sentinelle":
            found.append(f"titre « {title} » : il doit nommer la page, puis le service")
        if page.locator("html").get_attribute("lang") != "fr":
            found.append("langue de la page absente")
        if page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count():
            found.append("un tabindex positif impose un ordre de tabulation autre que celui de la lecture")
        if page.locator("h1").count() != 1:
            found.append(f"{page.locator('h1').count()} titres de niveau 1")
        return found

    problems = _visit_all(page, site, check)
    assert not problems, "\n".join(problems)
    # Distinct pages, distinct titles (a product and a signal name what they show).
    distinct = {p: t for p, t in titles.items() if p not in ("/", "/notifications", "/concertation")}
    assert len(set(distinct.values())) >= len(distinct) - 2, titles


def test_the_focus_is_always_visible_and_follows_the_reading_order(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    _with_a_signal(site)
    log_in(page, site, "national@test.fr")
    for path in ("/", "/signaux", "/signaux/1", "/declarer?q=seringue"):
        page.goto(site.url + path)
        page.locator("body").focus()
        tops = []
        for _ in range(25):
            page.keyboard.press("Tab")
            # The ring is on the element, or on its ::before when it enlarges to its block (the DSFR's
            # fr-enlarge-link draws it there).
            seen = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
                const ringed = pseudo => { const s = getComputedStyle(e, pseudo);
                    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; };
                return {tag: e.tagName, text: (e.textContent || e.value || '').trim().slice(0, 30),
                        outline: ringed(null) || (e.closest('.fr-enlarge-link') !== null && ringed('::before')),
                        top: r.top + scrollY, visible: r.width > 0 && r.height > 0}; }""")
            if seen["tag"] == "BODY":
                break
            assert seen["outline"], f"{path} : le focus sur {seen} ne se voit pas"
            if seen["visible"]:
                tops.append(seen["top"])
        # Reading order: the focus goes down the page (header, menu, then the content), never back up
        # past what was already read (a tolerance for items on one line).
        assert tops, path
        assert all(b >= a - 60 for a, b in itertools.pairwise(tops)), (path, tops)


def test_english_terms_are_marked_as_english(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    product = site.world.products[0]
    with session_factory(site.engine)() as s:
        s.merge(EmdnCode(code=product.emdn_code, term="Luer-lock syringes", level=7, terminal=True,
                          category=product.emdn_code[0], parent_code=None))
        s.commit()
    page.goto(f"{site.url}/produits/{product.id}")
    term = page.locator("[lang='en']", has_text="Luer-lock syringes")
    assert term.count() == 1


def test_the_pages_wear_the_state_design_system_from_here(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site.url + "/public")
    page.wait_for_load_state("networkidle")
    assert page.locator("header.fr-header .fr-logo").count() == 1 and page.locator("footer.fr-footer").count() == 1
    # Marianne, the State's typeface, is what the text is set in; every file came from this server.
    assert "Marianne" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert any(u.endswith("/static/dsfr/dsfr.min.css") for u in requested)
    assert all(u.startswith(site.url) or u.startswith("data:") for u in requested), [
        u for u in requested if not u.startswith(site.url)]
    assert page.evaluate("document.fonts.check('16px Marianne')")


def test_a_signals_facts_are_readable_on_a_computer(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    """A long label (« Mesures prises par l'établissement (interne : …) ») once squeezed the values into
    a 16-pixel column: every value keeps room to be read, at each common width."""
    _with_a_signal(site)
    log_in(page, site, "national@test.fr")
    for width in (1024, 1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{site.url}/signaux/1")
        widths = page.evaluate("[...document.querySelectorAll('dl.facts dd')].map(d => d.getBoundingClientRect().width)")
        assert widths and min(widths) >= 120, (width, widths)
