"A real JupyterLab in headless Chromium: open experiments/explore.ipynb, run every cell, and use the buffer explorer's filters."
import json, os, re, shutil, socket, subprocess, sys, time, urllib.error, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT/'test-artifacts'
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']
pytestmark = pytest.mark.browser

def free_port()->int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def http(url:str, method:str='GET', timeout:float=5)->int:
    req = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as r: return r.status

def wait_http(url:str, proc, timeout:float=90):
    "Wait until the server answers `url` (fail early if it died)."
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise RuntimeError(f"JupyterLab exited with code {proc.returncode}")
        try:
            if http(url) == 200: return
        except (urllib.error.URLError, ConnectionError, OSError): pass
        time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout}s")

@pytest.fixture
def lab(tmp_path):
    "JupyterLab on a free localhost port (no token, no browser), serving a copy of explore.ipynb and a demo run; shut down at the end."
    from rods_lab.scripted import demo_run
    work = tmp_path/'lab'; work.mkdir()
    shutil.copy(ROOT/'experiments'/'explore.ipynb', work/'explore.ipynb')
    demo_run(work/'runs'/'rods'/'rods-s0', data='rods', steps=4)          # the notebook's default run_dir
    port, state = free_port(), tmp_path/'state'
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(state/'config'), 'JUPYTER_RUNTIME_DIR': str(state/'runtime'),
           'JUPYTERLAB_SETTINGS_DIR': str(state/'settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(state/'workspaces'),
           'HF_HUB_OFFLINE': '1', 'PYTHONUNBUFFERED': '1'}
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--allow-root', '--ip=127.0.0.1', f'--port={port}',
           '--ServerApp.port_retries=0', "--IdentityProvider.token=", '--ServerApp.password=', '--ServerApp.disable_check_xsrf=True',
           f'--ServerApp.root_dir={work}', '--LabApp.expose_app_in_browser=True']
    (state/'config').mkdir(parents=True)                                       # offline: no news feed, no update check
    (state/'config'/'jupyter_server_config.json').write_text(json.dumps(
        {'LabApp': {'news_url': None, 'check_for_updates_class': 'jupyterlab.NeverCheckForUpdate'}}))
    notes = state/'settings'/'@jupyterlab'/'apputils-extension'                # answer the news-feed question in advance
    notes.mkdir(parents=True)
    (notes/'notification.jupyterlab-settings').write_text(json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))
    log = open(tmp_path/'lab.log', 'w')
    proc = subprocess.Popen(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/status", proc)
        yield url, work
    finally:
        try: http(f"{url}/api/shutdown", 'POST')
        except Exception: pass
        try: proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try: proc.wait(timeout=10)
            except subprocess.TimeoutExpired: proc.kill(); proc.wait()
        log.close()
        if proc.returncode not in (0, None, -15, -9): print((tmp_path/'lab.log').read_text()[-3000:])

KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && k.connectionStatus === 'connected'; }"""

def table_count(page)->int:
    "The number of tasks the explorer's table lists ('N tasks' above it)."
    text = page.locator('.rl-x > p').filter(has_text=re.compile(r'^(\d+ tasks|showing \d+ of \d+ tasks)$')).first.inner_text()
    return int(re.findall(r'\d+', text)[-1]) if text.startswith('showing') else int(text.split()[0])

def test_explorer_runs_and_filters_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright, expect
    url, work = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': 1400, 'height': 1100})
            page.set_default_timeout(60_000)
            page.goto(f"{url}/lab/tree/explore.ipynb", wait_until='domcontentloaded')
            page.wait_for_function(KERNEL_IDLE, timeout=120_000)                    # the notebook is open and its kernel is up
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            results = work/'runs'/'explore'/'results.json'                             # written by the last cell
            t0 = time.time()
            while not results.exists():
                assert time.time() - t0 < 120, 'the notebook did not finish within 120 s'
                errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
                assert not any('Error' in e for e in errors), errors
                time.sleep(0.5)
            page.wait_for_function(KERNEL_IDLE, timeout=60_000)
            loaded = json.loads(results.read_text())['loaded']
            assert loaded['mode'] == 'buffer' and loaded['tasks'] > 0

            band_select = page.locator('.widget-dropdown', has_text='variance band').locator('select')
            expect(band_select).to_be_visible(timeout=60_000)                          # the widget rendered (not "Loading widget...")
            expect(page.locator('.rl-x table').first).to_be_visible()
            assert table_count(page) == loaded['tasks']
            rows_before = page.locator('.rl-x table').first.locator('tr').count()
            band, n = next((b, k) for b, k in sorted(loaded['bands'].items(), key=lambda x: x[1]) if 0 < k < loaded['tasks'])
            band_select.select_option(label=band)                                      # a user picks a band
            expect(page.locator('.rl-x > p').filter(has_text=re.compile(rf'^{n} tasks$')).first).to_be_visible(timeout=30_000)
            rows_after = page.locator('.rl-x table').first.locator('tr').count()
            assert rows_after == n + 1 and rows_after < rows_before                    # header + the band's tasks
            chips = page.locator('.rl-x table').first.locator('tr').nth(1).inner_text()
            assert band in chips
            news = page.get_by_role('button', name='No', exact=True)
            if news.count() and news.first.is_visible(): news.first.click()          # the news-feed question, if it popped up
            band_select.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS/'explore_jupyterlab.png'))
        finally:
            browser.close()
