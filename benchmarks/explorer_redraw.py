"""How fast the buffer explorer redraws on a large run: a synthetic RODS run directory with ENTRIES buffer entries
(real apiworld tasks under new ids) over STEPS steps, a snapshot every EVERY steps and a few percent of the buffer
replaced at each one (admissions and evictions in the event log), opened in `BufferExplorer`; the slider is moved
to every snapshot step (first visits read the snapshot, later ones hit the cache) and the time of each redraw is
kept (`BufferExplorer.redraw_s`: rows, table, boundary map, lineage and detail). With --browser, the same run is
opened in a real JupyterLab (headless Chromium) and the time from releasing the slider to the redrawn cloud in the
page is measured too.

    python benchmarks/explorer_redraw.py --entries 10000 --steps 500 --every 25 [--browser]

Prints the figures and writes OUT/explorer_redraw.json.
"""
import argparse, gzip, json, random, statistics, sys, time
from pathlib import Path

def synth_run(out:Path, entries:int, steps:int, every:int, churn:float=0.05, seed:int=0)->Path:
    "Write the synthetic run directory (reused when it exists with the same shape)."
    shape = dict(entries=entries, steps=steps, every=every, churn=churn, seed=seed)
    if (out/'shape.json').exists() and json.loads((out/'shape.json').read_text()) == shape: return out
    import shutil
    from rods_lab.scripted import demo_run
    shutil.rmtree(out, ignore_errors=True)
    demo_run(out/'template', data='rods', steps=1, pool_size=24)              # real tasks and a real config to copy
    tmpl = [json.loads(l) for l in gzip.open(out/'template'/'buffer'/'snapshot_000001.jsonl.gz', 'rt')]
    run = out/'run'; (run/'buffer').mkdir(parents=True)
    (run/'config.json').write_text((out/'template'/'config.json').read_text())
    rng, n_new = random.Random(seed), 0
    def entry(k:int, step:int)->dict:
        base = tmpl[k % len(tmpl)]
        mu = rng.random(); var = rng.random() * mu * (1 - mu)
        return dict(base, id=f"{base['id']}-v{k}", origin='seed' if k < entries else 'synth', generation=0 if k < entries else 1,
                    parent=None if k < entries else f"{tmpl[k % len(tmpl)]['id']}-v{k % entries}", visits=1, last_mean=mu, last_var=var,
                    last_signal_var=var, ema_var=var, admitted_step=step, last_step=step, children=[], task=dict(base['task'], id=f"{base['id']}-v{k}"))
    live = {k: entry(k, 0) for k in range(entries)}; n_new = entries
    events = [dict(step=0, event='admit', id=e['id'], reason='seed') for e in live.values()]
    metrics = []
    for step in range(1, steps + 1):
        for k, e in live.items():                                               # the statistics drift a little
            if rng.random() < 0.3:
                mu = min(max(e['last_mean'] + rng.gauss(0, 0.05), 0.0), 1.0)
                e.update(last_mean=mu, last_var=rng.random() * mu * (1 - mu), visits=e['visits'] + 1, last_step=step)
        for k in rng.sample(sorted(live), int(churn * entries / every)):
            events.append(dict(step=step, event='evict', id=live.pop(k)['id'], reason='capacity'))
            live[n_new] = entry(n_new, step); events.append(dict(step=step, event='admit', id=live[n_new]['id'], reason='variant')); n_new += 1
        metrics.append(dict(step=step, trajectories=64 * step, tokens_generated=4000 * step, tool_calls=100 * step))
        if step % every == 0 or step == steps:
            with gzip.open(run/'buffer'/f"snapshot_{step:06d}.jsonl.gz", 'wt', encoding='utf-8') as f:
                for e in live.values(): f.write(json.dumps(e, separators=(',', ':')) + '\n')
    (run/'buffer'/'events.jsonl').write_text(''.join(json.dumps(e, separators=(',', ':')) + '\n' for e in events))
    (run/'metrics.jsonl').write_text(''.join(json.dumps(m) + '\n' for m in metrics))
    (out/'shape.json').write_text(json.dumps(shape))
    return out

def python_side(run:Path)->dict:
    "Construct the explorer, then move the slider through every snapshot step twice (first visits, then cached)."
    from rods_lab.explorer import BufferExplorer
    t0 = time.perf_counter(); ex = BufferExplorer(run); build = time.perf_counter() - t0
    steps = list(ex.view.steps)
    order = steps[-2::-1]                                                       # backwards from the last step: every one a first visit
    for s in order: ex.step.value = s
    first = ex.redraw_s[1:]
    for s in order: ex.step.value = s
    again = ex.redraw_s[1 + len(order):]
    t0 = time.perf_counter(); ex.select(ex.rows[-1]['id']); select = time.perf_counter() - t0
    med = lambda xs: statistics.median(xs) if xs else None
    return dict(build_s=build, snapshots=len(steps), entries_last=len(ex._rows_at), first_visit_median_s=med(first), first_visit_max_s=max(first, default=None),
                cached_median_s=med(again), cached_max_s=max(again, default=None), select_s=select)

def browser_side(run:Path, moves:int=3)->dict:
    "Open the run in a real JupyterLab, drag the slider `moves` times, time each release -> redrawn cloud."
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent/'tests'))
    import shutil, tempfile
    from test_browser import jupyterlab, open_and_run, PLOT_WITH, POINTS, CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright
    from rods_lab.explorer import RunView
    view = RunView(run)
    drawn = {s: sum(r['last_var'] is not None for r in view.rows(s)) for s in view.steps}
    tmp = Path(tempfile.mkdtemp()); work = tmp/'lab'; work.mkdir()
    shutil.copy(Path(__file__).resolve().parent.parent/'experiments'/'explore.ipynb', work/'explore.ipynb')
    (work/'runs'/'rods').mkdir(parents=True); (work/'runs'/'rods'/'rods-s0').symlink_to(run.resolve())
    out = []
    with jupyterlab(work, tmp/'state') as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': 1400, 'height': 1400}); page.set_default_timeout(120_000)
        open_and_run(page, url, work, 'explore', 'explore', timeout=600)
        page.wait_for_function(f"() => ({PLOT_WITH})(['tasks']) >= 0"); page.evaluate(PLOT_WITH, ['tasks'])
        handle = page.locator('.widget-slider', has_text='step').locator('.noUi-handle').first
        track = page.locator('.widget-slider', has_text='step').locator('.noUi-base').first.bounding_box()
        status = lambda: next(int(t.split(' · step ')[1].split(':')[0]) for t in page.locator('.widget-html').all_inner_texts() if 'buffer view' in t)
        for i in range(moves):
            box, before = handle.bounding_box(), status()
            x = track['x'] + track['width'] * (0.05, 0.95, 0.5)[i % 3]
            page.mouse.move(box['x'] + box['width'] / 2, box['y'] + box['height'] / 2); page.mouse.down()
            page.mouse.move(x, box['y'] + box['height'] / 2, steps=4)
            t0 = time.time(); page.mouse.up()
            page.wait_for_function("([b]) => [...document.querySelectorAll('.widget-html')].some(e => e.innerText.includes('buffer view') && !e.innerText.includes(' · step ' + b + ':'))",
                                   arg=[before], timeout=120_000)
            now = status()
            page.wait_for_function(f"() => ({POINTS})(['tasks', 'tasks']) === {drawn[now]}", timeout=120_000)
            out.append(dict(from_step=before, to_step=now, points=drawn[now], seconds=time.time() - t0))
        browser.close()
    return dict(browser_moves=out, browser_median_s=statistics.median(m['seconds'] for m in out))

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--entries', type=int, default=10000); ap.add_argument('--steps', type=int, default=500)
    ap.add_argument('--every', type=int, default=25, help='a buffer snapshot every this many steps')
    ap.add_argument('--work', default='runs/bench-explorer'); ap.add_argument('--out', default='runs/bench-explorer')
    ap.add_argument('--browser', action='store_true', help='also time the redraw in a real JupyterLab')
    a = ap.parse_args(argv)
    t0 = time.time(); base = synth_run(Path(a.work), a.entries, a.steps, a.every); made = time.time() - t0
    res = dict(entries=a.entries, steps=a.steps, every=a.every, synth_s=made, **python_side(base/'run'))
    if a.browser: res |= browser_side(base/'run')
    Path(a.out).mkdir(parents=True, exist_ok=True); (Path(a.out)/'explorer_redraw.json').write_text(json.dumps(res, indent=1))
    for k, v in res.items(): print(f"{k:>32}: {v if not isinstance(v, float) else round(v, 3)}")
    return 0

if __name__ == '__main__':
    sys.exit(main())
