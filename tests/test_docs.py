"The docs site in headless Chromium: every navigation link loads without console errors or broken internal links, a study's plotly figure renders, the search finds an API entry."
import os, re, subprocess, sys, time, urllib.error, urllib.parse, urllib.request
from pathlib import Path
import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port, http

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT/'_site'
SHOTS = ROOT/'test-artifacts'/'docs'
pytestmark = pytest.mark.browser

@pytest.fixture(scope='module')
def site():
    "The built site (built here when missing or older than the notebooks, package and figures), served on a free localhost port."
    from rods_lab.docs import build_site, site_key
    stamp = SITE/'.site-key'
    if not (SITE/'index.html').exists() or not stamp.exists() or stamp.read_text().strip() != site_key(ROOT):
        build_site(ROOT, SITE)
    port = free_port()
    proc = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(SITE)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}'
    try:
        t0 = time.time()
        while True:
            try:
                if http(f'{url}/index.html') == 200: break
            except (urllib.error.URLError, ConnectionError, OSError): pass
            assert time.time() - t0 < 30 and proc.poll() is None, 'the static server did not start'
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate(); proc.wait(timeout=10)

_cache = {}
def fetch(url:str)->str|None:
    "The page at `url` (None when it does not answer 200)."
    if url not in _cache:
        try:
            with urllib.request.urlopen(url, timeout=10) as r: _cache[url] = r.read().decode('utf-8', 'replace')
        except (urllib.error.URLError, OSError): _cache[url] = None
    return _cache[url]

def broken_links(page, base:str)->list[str]:
    "Internal links on the page whose target does not load or lacks the anchor they point to."
    bad = []
    for href in set(page.eval_on_selector_all('a[href]', 'els => els.map(e => e.href)')):
        if not href.startswith(base): continue
        target, _, frag = href.partition('#')
        text = fetch(target)
        if text is None: bad.append(href)
        elif frag and not re.search(rf'id="{re.escape(urllib.parse.unquote(frag))}"', text): bad.append(href)
    return bad

def test_docs_site_in_chromium(site):
    from playwright.sync_api import sync_playwright, expect
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': 1400, 'height': 1000})
            page.set_default_timeout(30_000)
            page.on('console', lambda m: m.type == 'error' and errors.append(f'{page.url}: {m.text}'))
            page.on('pageerror', lambda e: errors.append(f'{page.url}: {e}'))
            page.goto(f'{site}/index.html', wait_until='load')
            expect(page.locator('h1').first).to_be_visible()
            text = page.locator('article').inner_text()
            assert 'make demo' in text and 'make test' in text                       # the two commands
            assert page.locator('article img').count() >= 20                # the gallery
            page.screenshot(path=str(SHOTS/'home.png'), full_page=False)
            nav = list(dict.fromkeys(page.eval_on_selector_all('.sidebar-tree a.reference', 'els => els.map(e => e.href)')))
            assert sum('/library/' in u for u in nav) >= 30 and sum('/studies/' in u for u in nav) >= 5, nav
            assert sum('/guides/' in u for u in nav) == 5, nav
            bad = broken_links(page, site)
            for u in nav:
                page.goto(u, wait_until='load')
                expect(page.locator('h1').first).to_be_visible()
                assert page.locator('a', has_text=re.compile(r'^(nbs|figures|docs)/')).count() >= 1, f'{u}: no link to its source'
                assert 'commit' in page.locator('footer').inner_text(), f'{u}: no version and commit stamp'
                bad += broken_links(page, site)
            assert not bad, f'broken internal links: {sorted(set(bad))}'

            page.goto(f'{site}/guides/explore-a-buffer.html', wait_until='load')
            shot = page.locator('article img[src*="explore_jupyterlab"]')
            expect(shot).to_be_visible()
            assert page.evaluate("el => el.naturalWidth", shot.element_handle()) > 0      # the explorer screenshot loaded
            page.screenshot(path=str(SHOTS/'guide_explore.png'))

            page.goto(f'{site}/library/00_core.html', wait_until='load')
            page.screenshot(path=str(SHOTS/'library_core.png'))
            entry = page.locator('dt[id="rods_lab.core.Task"]')
            expect(entry).to_be_visible()
            entry.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS/'api_entry_task.png'))

            page.goto(f'{site}/studies/trace.html', wait_until='load')
            frame = page.frame_locator('iframe.plotly-frame').first
            expect(frame.locator('svg.main-svg').first).to_be_attached(timeout=60_000)   # plotly drew the figure
            page.locator('iframe.plotly-frame').first.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS/'study_trace_figure.png'))

            page.goto(f'{site}/search.html?q=RunDir', wait_until='load')
            hit = page.locator('#search-results a[href*="rods_lab.rundir.RunDir"]').first
            expect(hit).to_be_attached(timeout=60_000)
            page.screenshot(path=str(SHOTS/'search_rundir.png'))
            hit.click(); page.wait_for_load_state('load')
            assert 'rundir' in page.url and page.locator('dt[id="rods_lab.rundir.RunDir"]').count() == 1
        finally:
            browser.close()
    assert not errors, errors
