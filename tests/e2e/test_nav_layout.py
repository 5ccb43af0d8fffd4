"""The top bar and the phone layouts of the editor and insights, in Chromium.

An admin (who holds every role) gets the bar on one line at 1280 px, with their own links
under one "Admin" entry; a phone gets a Menu button that opens the links. On a phone the
editor's guidelines come before it, folded, and insights' tables and captions stay inside
the width, the tables scrolling in their own box.
"""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from annotation.models import Dataset
from tests.e2e.seeded import seed_demo_for_browser
from tests.e2e.signing_in import sign_in
from tests.factories import make_assignment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(live_server, settings, tmp_path):
    seed_demo_for_browser(settings, tmp_path)
    dataset = Dataset.objects.get()
    # An assignment in alice's hand: /write/ is the editor, not "Start writing".
    make_assignment(
        contributor=User.objects.get(username="alice"),
        category=dataset.categories.get(slug="open_qa"),
    )
    return live_server


def signed_in(new_page, live_server, username: str, viewport: dict):
    page = new_page()
    page.set_viewport_size(viewport)
    sign_in(page, live_server, username)
    return page


# How far apart the middles of the bar's own entries are: a few pixels is one line.
SPREAD = """() => {
    const middles = [...document.querySelectorAll(
        '.mainnav > a, .navgroup > summary, .brand, .signout')]
        .map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; });
    return Math.max(...middles) - Math.min(...middles);
}"""


def test_an_admins_bar_is_one_line_at_1280_with_their_links_under_admin(new_page, demo):
    page = signed_in(new_page, demo, "ada", DESKTOP)
    page.goto(demo.url + reverse("review:queue"))
    nav = page.get_by_role("navigation", name="Main")
    assert page.evaluate(SPREAD) < 6
    expect(nav.get_by_role("link", name="Review")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Releases")).to_be_hidden()
    expect(page.locator(".menu > summary")).to_be_hidden()

    nav.get_by_text("Admin", exact=True).click()
    nav.get_by_role("link", name="Moderate").click()
    page.wait_for_url("**/review/moderate/")
    nav.get_by_text("Admin", exact=True).click()
    expect(nav.get_by_role("link", name="Moderate")).to_have_attribute("aria-current", "page")
    assert page.evaluate(SPREAD) < 6  # the open entry lies over the page, not in the bar


def test_a_phone_opens_the_links_from_a_menu(new_page, demo):
    page = signed_in(new_page, demo, "ada", PHONE)
    page.goto(demo.url + reverse("annotation:my_pairs"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    # Brand and Menu share the one row of the closed bar.
    assert page.locator(".topbar").bounding_box()["height"] < 70

    page.locator(".menu > summary").click()
    expect(nav.get_by_role("link", name="My pairs")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    nav.get_by_text("Admin", exact=True).click()
    nav.get_by_role("link", name="People").click()
    page.wait_for_url("**/people/invite/")
    expect(nav).to_be_hidden()
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")


def test_the_editors_guidelines_come_first_and_folded_on_a_phone(new_page, demo):
    page = signed_in(new_page, demo, "alice", PHONE)
    page.goto(demo.url + reverse("annotation:write"))
    fold = page.locator("details.guidelines-fold")
    editor = page.locator("#pair-form")
    expect(fold).to_be_visible()
    expect(fold).not_to_have_attribute("open", "")
    expect(page.locator("aside .guidelines")).to_be_hidden()
    assert fold.bounding_box()["y"] < editor.bounding_box()["y"]
    # The editor still starts on the first screen.
    assert editor.bounding_box()["y"] < PHONE["height"] / 2
    fold.locator("summary").click()
    expect(fold.get_by_text("No reference text")).to_be_visible()

    page.set_viewport_size(DESKTOP)
    expect(fold).to_be_hidden()
    expect(page.locator("aside .guidelines")).to_be_visible()


def test_insights_tables_scroll_in_their_own_box_on_a_phone(new_page, demo):
    page = signed_in(new_page, demo, "ada", PHONE)
    page.goto(demo.url + reverse("review:insights", args=["dolly"]))
    page.wait_for_selector(".insights.charts-on canvas[data-chart]")
    page.evaluate("document.querySelectorAll('.insights details').forEach(d => d.open = true)")
    width = PHONE["width"]
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    tables = page.locator(".insights table")
    assert tables.count() >= 7
    for table in tables.all():
        # Each table in a focusable region that scrolls sideways, not cut by its card.
        box = table.locator("xpath=..")
        expect(box).to_have_class("scroll")
        expect(box).to_have_attribute("role", "region")
        assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        assert box.bounding_box()["x"] + box.bounding_box()["width"] <= width
    for caption in page.locator(".insights caption").all():
        # A caption is read where the table starts, inside the width, not centred off it.
        assert caption.bounding_box()["x"] + caption.bounding_box()["width"] <= width
    for canvas in page.locator(".insights canvas").all():
        assert canvas.bounding_box()["x"] + canvas.bounding_box()["width"] <= width


# The bar's own entries that are showing: the brand, the links or the Menu button, the account.
SHOWING = """() => [...document.querySelectorAll(
    '.brand, .menu > summary, .mainnav > a, .navgroup > summary, .whoami, .signout button')]
    .filter(e => e.getClientRects().length)"""


@pytest.mark.parametrize("width", [820, 900, 1000, 1090])
def test_an_admins_bar_stays_on_one_line_between_a_phone_and_a_wide_window(new_page, demo, width):
    page = signed_in(new_page, demo, "ada", DESKTOP)
    page.goto(demo.url + reverse("annotation:my_pairs"))
    one_line = page.locator(".topbar").bounding_box()["height"]
    page.set_viewport_size({"width": width, "height": 800})
    middles = page.evaluate(
        f"""() => ({SHOWING})().map(e => {{
            const r = e.getBoundingClientRect(); return r.top + r.height / 2; }})"""
    )
    assert len(middles) >= 2, middles  # the brand, and the links or the Menu button
    assert max(middles) - min(middles) < 6, middles
    assert abs(page.locator(".topbar").bounding_box()["height"] - one_line) < 1.5
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")

    # Every link is there: in the bar, or under the Menu where the bar has no room for it.
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator(".menu > summary")
    if menu.is_visible():
        expect(nav).to_be_hidden()
        menu.click()
    expect(nav.get_by_role("link", name="Answer a question")).to_be_visible()
    expect(nav.get_by_role("link", name="Insights")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    nav.get_by_text("Admin", exact=True).click()
    expect(nav.get_by_role("link", name="Django admin")).to_be_visible()


@pytest.mark.parametrize("username", ["alice", "bob", "rita"])
def test_other_bars_are_one_line_where_they_fit(new_page, demo, username):
    # alice's four links fit from 821 px up, bob's and rita's seven from 1021 px, whatever
    # the length of their names (see test_a_long_name_leaves_the_bar_on_one_line).
    for width in [830, 900, 1000, 1280] if username == "alice" else [1030, 1280]:
        page = signed_in(new_page, demo, username, {"width": width, "height": 800})
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        expect(page.locator(".menu > summary")).to_be_hidden()
        assert page.evaluate(SPREAD) < 6, width


def test_escape_and_a_click_outside_close_the_admin_entry(new_page, demo):
    page = signed_in(new_page, demo, "ada", DESKTOP)
    page.goto(demo.url + reverse("review:queue"))
    group = page.locator("details.navgroup")
    summary = group.locator("summary")

    summary.click()
    expect(group).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(group).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")  # the focused summary opens it again
    expect(group).to_have_attribute("open", "")
    page.locator("main h1").click()
    expect(group).not_to_have_attribute("open", "")
    # A click inside it is not a click outside.
    summary.click()
    group.locator(".navgroup-links").click(position={"x": 5, "y": 2})
    expect(group).to_have_attribute("open", "")


def test_escape_and_a_click_outside_close_the_phone_menu(new_page, demo):
    page = signed_in(new_page, demo, "ada", PHONE)
    page.goto(demo.url + reverse("review:queue"))
    menu = page.locator("details.menu")
    group = page.locator("details.navgroup")
    nav = page.get_by_role("navigation", name="Main")

    menu.locator("summary").click()
    expect(nav).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu.locator("summary")).to_be_focused()

    # Admin opens inside the open Menu; Escape closes it first, then the Menu.
    menu.locator("summary").click()
    group.locator("summary").click()
    expect(group).to_have_attribute("open", "")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(group).not_to_have_attribute("open", "")
    expect(menu).to_have_attribute("open", "")
    expect(group.locator("summary")).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()

    menu.locator("summary").click()
    expect(nav).to_be_visible()
    page.locator("main h1").click()
    expect(nav).to_be_hidden()
    # Opening the Menu again finds the Admin entry closed.
    menu.locator("summary").click()
    group.locator("summary").click()
    menu.locator("summary").click()
    menu.locator("summary").click()
    expect(group).not_to_have_attribute("open", "")


def test_tabbing_past_the_open_menu_closes_it(new_page, demo):
    page = signed_in(new_page, demo, "ada", PHONE)
    page.goto(demo.url + reverse("review:queue"))
    menu = page.locator("details.menu")
    menu.locator("summary").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

    page.get_by_role("button", name="Sign out").focus()  # the bar's last stop
    page.keyboard.press("Tab")

    expect(menu).not_to_have_attribute("open", "")
    assert page.evaluate("!document.activeElement.closest('.topbar')")


def test_without_javascript_the_entries_still_open_and_close(browser, demo):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, demo, "ada")
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_text("Admin", exact=True).click()
        expect(nav.get_by_role("link", name="Releases")).to_be_visible()
        nav.get_by_text("Admin", exact=True).click()
        expect(nav.get_by_role("link", name="Releases")).to_be_hidden()

        page.set_viewport_size(PHONE)
        expect(nav).to_be_hidden()
        page.locator(".menu > summary").click()
        expect(nav.get_by_role("link", name="My pairs")).to_be_visible()
        page.locator(".menu > summary").click()
        expect(nav).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize("username", ["alice", "bob", "ada"])
def test_a_long_name_leaves_the_bar_on_one_line(new_page, demo, username):
    # Usernames come from addresses: "firstname.lastname" is the usual length, not "ada".
    long = "bartholomew.featherstonehaugh"
    User.objects.filter(username=username).update(username=long)
    page = signed_in(new_page, demo, long, DESKTOP)
    for width in [815, 830, 960, 975, 1005, 1025, 1090, 1105, 1280]:
        page.set_viewport_size({"width": width, "height": 800})
        middles = page.evaluate(
            f"""() => ({SHOWING})().map(e => {{
                const r = e.getBoundingClientRect(); return r.top + r.height / 2; }})"""
        )
        assert max(middles) - min(middles) < 6, (width, middles)
        assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
