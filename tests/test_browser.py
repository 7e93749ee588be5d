"A real JupyterLab in headless Chromium: open the explorer notebooks, run every cell, and use them: the buffer explorer's filters and boundary map, the tree explorer's nodes, the run comparer."
import contextlib, json, os, re, shutil, socket, subprocess, sys, time, urllib.error, urllib.request
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

@contextlib.contextmanager
def jupyterlab(work:Path, state:Path):
    "JupyterLab serving `work` on a free localhost port (no token, no browser, offline, its settings under `state`); yields its URL."
    port = free_port()
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
    log = open(state/'lab.log', 'w')
    proc = subprocess.Popen(cmd, cwd=work, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/status", proc)
        yield url
    finally:
        try: http(f"{url}/api/shutdown", 'POST')
        except Exception: pass
        try: proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try: proc.wait(timeout=10)
            except subprocess.TimeoutExpired: proc.kill(); proc.wait()
        log.close()
        if proc.returncode not in (0, None, -15, -9): print((state/'lab.log').read_text()[-3000:])

@pytest.fixture
def lab(tmp_path, micro_tree_runs):
    "JupyterLab serving copies of the explorer notebooks, a demo RODS run, two real micro-model runs (TRACE, GRPO) and any published runs; shut down at the end."
    from rods_lab.scripted import demo_run
    work = tmp_path/'lab'; work.mkdir()
    for nb in ('explore', 'explore_trees', 'compare_runs'): shutil.copy(ROOT/'experiments'/f'{nb}.ipynb', work/f'{nb}.ipynb')
    demo_run(work/'runs'/'rods'/'rods-s0', data='rods', steps=4)          # the explore notebook's default run_dir
    for name, d in micro_tree_runs.items(): shutil.copytree(d, work/'runs'/'trace'/f"{name}-s0")   # explore_trees' default run_dir, and compare_runs' runs
    for d in (ROOT/'figures').glob('*/runs'):                               # the published reference runs (tree explorer, run comparer)
        shutil.copytree(d, work/'figures'/d.parent.name/'runs')
    with jupyterlab(work, tmp_path/'state') as url: yield url, work

@contextlib.contextmanager
def chromium_page(height:int=1100, width:int=1400):
    "A page of headless Debian Chromium (60 s default timeout), closed at the end."
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': width, 'height': height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()

KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && k.connectionStatus === 'connected'; }"""

def table_count(page)->int:
    "The number of tasks the explorer's table lists ('N tasks' above it)."
    text = page.locator('.rl-x > p').filter(has_text=re.compile(r'^(\d+ tasks|showing \d+ of \d+ tasks)$')).first.inner_text()
    return int(re.findall(r'\d+', text)[-1]) if text.startswith('showing') else int(text.split()[0])

def test_explorer_runs_and_filters_in_jupyterlab(lab):
    from playwright.sync_api import expect
    url, work = lab
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page(height=1100) as page:
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

def open_and_run(page, url:str, work:Path, name:str, out:str, timeout:float=180):
    "Open `<name>.ipynb`, run every cell, wait for its results.json (written by the last cell); returns what it loaded."
    page.goto(f"{url}/lab/tree/{name}.ipynb", wait_until='domcontentloaded')
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    results, t0 = work/'runs'/out/'results.json', time.time()
    while not results.exists():
        assert time.time() - t0 < timeout, f'{name}.ipynb did not finish within {timeout} s'
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
        assert not any('Error' in e for e in errors), errors
        time.sleep(0.5)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    news = page.get_by_role('button', name='No', exact=True)
    if news.count() and news.first.is_visible(): news.first.click()          # the news-feed question, if it popped up
    return json.loads(results.read_text())['loaded']

PLOT_WITH = """([name]) => { const gds = [...document.querySelectorAll('.js-plotly-plot')];
  const i = gds.findIndex(g => g.data && g.data.some(t => t.name === name)); if (i >= 0) gds[i].setAttribute('data-test-plot', name); return i; }"""
POINTS = """([plot, name]) => { const g = document.querySelector(`[data-test-plot="${plot}"]`); const t = g.data.find(t => t.name === name);
  return t ? (t.x || []).length : -1; }"""
# page coordinates of trace `name`'s points in the plot, with their customdata, and each one's distance to its nearest neighbour
PIXELS = """([plot, name]) => { const g = document.querySelector(`[data-test-plot="${plot}"]`); const t = g.data.find(t => t.name === name);
  const L = g._fullLayout, r = g.getBoundingClientRect();
  const pts = Array.from(t.x).map((x, i) => ({id: String(t.customdata[i]), px: r.left + L._size.l + L.xaxis.l2p(x), py: r.top + L._size.t + L.yaxis.l2p(t.y[i])}));
  for (const p of pts) p.gap = Math.min(1e9, ...pts.filter(q => q !== p).map(q => Math.hypot(q.px - p.px, q.py - p.py)));
  return pts; }"""

def plot_points(page, plot:str, name:str)->int: return page.evaluate(POINTS, [plot, name])

def test_boundary_map_click_and_step_in_jupyterlab(lab):
    "Click a point of the boundary map: the detail shows that task. Drag the step slider to the first step: the cloud's point count changes."
    from playwright.sync_api import expect
    from rods_lab.explorer import RunView
    url, work = lab
    view = RunView(work/'runs'/'rods'/'rods-s0')
    drawn = {s: sum(r['last_var'] is not None for r in view.rows(s)) for s in view.steps}
    assert drawn[view.steps[0]] != drawn[view.steps[-1]], drawn                 # the test needs steps that draw different clouds
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page(height=1400) as page:
        loaded = open_and_run(page, url, work, 'explore', 'explore')
        page.wait_for_function(f"() => ({PLOT_WITH})(['tasks']) >= 0", timeout=60_000)
        page.evaluate(PLOT_WITH, ['tasks'])
        assert plot_points(page, 'tasks', 'tasks') == loaded['map_points'] == drawn[view.steps[-1]]
        page.locator('[data-test-plot="tasks"]').scroll_into_view_if_needed()
        pts = sorted(page.evaluate(PIXELS, ['tasks', 'tasks']), key=lambda q: -q['gap'])
        target = pts[0]                                                      # the most isolated point: a click hits it alone
        page.mouse.move(target['px'], target['py']); page.mouse.click(target['px'], target['py'])
        expect(page.locator('.rl-x h4', has_text=target['id']).first).to_be_visible(timeout=30_000)   # the detail shows the clicked task
        assert table_count(page) == loaded['tasks']                             # a click selects a task; it does not filter the table
        page.wait_for_function("() => !document.querySelector('[data-test-plot=tasks]').data[2].selectedpoints", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS/'boundary_map_click.png'))
        handle = page.locator('.widget-slider', has_text='step').locator('.noUi-handle').first
        box = handle.bounding_box()
        t0 = time.time()
        page.mouse.move(box['x'] + box['width'] / 2, box['y'] + box['height'] / 2); page.mouse.down()
        page.mouse.move(box['x'] - 600, box['y'] + box['height'] / 2, steps=8); page.mouse.up()
        want = drawn[view.steps[0]]
        page.wait_for_function(f"() => ({POINTS})(['tasks', 'tasks']) === {want}", timeout=30_000)
        print(f"boundary map: slider release to redrawn cloud ({drawn[view.steps[-1]]} -> {want} points) in {time.time() - t0:.2f} s")
        expect(page.locator('.widget-html', has_text=f"step {view.steps[0]}:").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS/'boundary_map_step.png'))

def test_tree_explorer_click_node_in_jupyterlab(lab):
    "Open the tree explorer on a real TRACE run; click a node: its prefix appears, turn by turn."
    from playwright.sync_api import expect
    url, work = lab
    with chromium_page(height=1400) as page:
        loaded = open_and_run(page, url, work, 'explore_trees', 'explore_trees')
        assert loaded['run_dir'] == 'runs/trace/trace-s0' and loaded['nodes'] > 1
        page.wait_for_function(f"() => ({PLOT_WITH})(['decisions']) >= 0", timeout=60_000)
        page.evaluate(PLOT_WITH, ['decisions'])
        plot = page.locator('[data-test-plot="decisions"]'); plot.scroll_into_view_if_needed()
        nodes = page.evaluate(PIXELS.replace("t.name === name", "t.customdata && t.mode === 'markers'"), ['decisions', ''])
        assert [n['id'] for n in nodes] == loaded['paths']
        node = max((n for n in nodes if n['id'] != '()'), key=lambda n: (n['gap'], n['id']))   # an isolated node below the root
        page.mouse.move(node['px'], node['py']); page.mouse.click(node['px'], node['py'])
        expect(page.locator('.rl-prefix h4', has_text=f"node {node['id']}")).to_be_visible(timeout=30_000)
        assert page.locator('.rl-prefix table').first.locator('tr').count() == 1 + node['id'].count(',') + (0 if node['id'].endswith(',)') else 1)
        page.screenshot(path=str(ARTIFACTS/'tree_explorer_click.png'))

def test_run_comparer_in_jupyterlab(lab):
    "Open the run comparer on the runs under runs/ (a demo RODS run, real TRACE and GRPO runs); one curve per arm; choosing the cost axis redraws it."
    from playwright.sync_api import expect
    url, work = lab
    with chromium_page(height=1200) as page:
        loaded = open_and_run(page, url, work, 'compare_runs', 'compare_runs')
        assert len(loaded['runs']) >= 2 and len(loaded['arms']) >= 2
        first = next(iter(loaded['arms']))
        page.wait_for_function(f"() => ({PLOT_WITH})({json.dumps([first + ' (n=' + str(len(loaded['arms'][first])) + ')'])}) >= 0", timeout=60_000)
        expect(page.locator('.rl-x', has_text='config fields differ').first).to_be_visible()
        page.locator('.widget-dropdown', has_text='cost').locator('select').select_option(label='trajectories')
        expect(page.locator('.js-plotly-plot .xtitle', has_text='trajectories').first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS/'run_comparer.png'))
