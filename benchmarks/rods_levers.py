"""The RODS study's levers, tried on the validation split: the reference study's setting (figures/rods) with one
option changed per arm, every arm trained for the same trajectory budget and read at that budget on validation
tasks only (settings are chosen there; the test split stays for the study). Resumable: finished runs are reused.

    python benchmarks/rods_levers.py --seeds 0 --workers 2 --work runs/rods-levers --out figures/rods

Writes OUT/levers.json (per arm: its options, per-seed validation success at half and all of the budget, the
mean, and the final difference to `fixed` and to `rods` with the paired `compare` verdict where more than one
seed ran) and OUT/levers.html / .png, and prints the table.
"""
import argparse, json, sys
from pathlib import Path

BASE = dict(world='mathtool', difficulty={'steps': 2}, model='embedded:study', pool_size=32, batch_size=64, group_size=8, lr=1e-4,
            temperature=0.7, reward='progress', advantage='dr_grpo', steps=100, max_trajectories=6400, eval_every=50, eval_n=512,
            eval_split='validation', experiment='rods-levers')
SYNTH = dict(variants_per_task=2, budget=4)                     # the study's synthesis settings (experiments/rods.ipynb)
LEVERS = {                                                      # arm -> (data strategy, options, other RunConfig fields)
    'fixed': ('fixed', {}, {}),
    'offline': ('offline', {}, {}),
    'rods': ('rods', SYNTH, {}),
    'rods-protect': ('rods', SYNTH | dict(protect_seeds=True), {}),          # the seeds stay live (S vs active pool)
    'rods-diverse': ('rods', SYNTH | dict(evict='diverse'), {}),             # capacity eviction from crowded signatures
    'rods-pool4x': ('rods', SYNTH | dict(capacity=128), {}),                 # an active pool of 4S instead of 2S
    'rods-k4': ('rods', dict(variants_per_task=4, budget=8), {}),            # twice the synthesis per step
    'rods-kappa': ('rods', SYNTH | dict(kappa=0.25, band=[0.1, 0.9]), {}),   # looser boundary thresholds
}

def job(arm:str)->dict:
    data, opts, extra = LEVERS[arm]
    return BASE | dict(data=data, options=dict(opts)) | extra

def read(run_dir:Path, budget:int)->dict:
    "Validation success at half and all of the budget (the evaluation at the step that reached each mark)."
    from rods_lab.experiments import value_at_budget
    m = [json.loads(l) for l in (run_dir/'metrics.jsonl').read_text().splitlines() if l.strip()]
    return {str(b): value_at_budget(m, b)['value'] for b in (budget // 2, budget)}

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--arms', nargs='+', default=list(LEVERS), choices=list(LEVERS))
    ap.add_argument('--seeds', type=int, nargs='+', default=[0])
    ap.add_argument('--workers', type=int, default=2)
    ap.add_argument('--work', default='runs/rods-levers'); ap.add_argument('--out', default='figures/rods')
    ap.add_argument('--render-only', action='store_true', help='read the finished runs, train nothing')
    a = ap.parse_args(argv)
    from rods_lab.experiments import train_jobs, compare, mean_std
    work, out, budget = Path(a.work), Path(a.out), BASE['max_trajectories']
    jobs = [(arm, s, job(arm)) for s in a.seeds for arm in a.arms]
    if not a.render_only: train_jobs(jobs, work, workers=a.workers)
    res = {}
    for arm in a.arms:
        vals = [read(work/f"{arm}-s{s}", budget) for s in a.seeds if (work/f"{arm}-s{s}"/'metrics.jsonl').exists()]
        final = [v[str(budget)] for v in vals]
        res[arm] = dict(data=LEVERS[arm][0], options=LEVERS[arm][1], seeds=a.seeds[:len(vals)], half=[v[str(budget // 2)] for v in vals],
                        final=final, final_mean=mean_std(final)['mean'] if final else None)
    for arm, r in res.items():
        for ref in ('fixed', 'rods'):
            if ref in res and arm != ref and len(r['final']) == len(res[ref]['final']) > 1:
                r[f'vs_{ref}'] = compare(r['final'], res[ref]['final'], 'greater')
    cmd = [a for a in (sys.argv[1:] if argv is None else argv) if a != '--render-only']
    summary = dict(command=' '.join(['python benchmarks/rods_levers.py', *cmd]), split='validation',
                   n_validation=BASE['eval_n'], budget_trajectories=budget, base=BASE, arms=res)
    out.mkdir(parents=True, exist_ok=True)
    (out/'levers.json').write_text(json.dumps(summary, indent=1, default=str) + '\n')
    print(f"validation success (n={BASE['eval_n']}) at {budget // 2} / {budget} trajectories, seeds {a.seeds}")
    for arm, r in res.items():
        print(f"  {arm:14s} {' '.join(f'{x:.3f}' for x in r['half'])} / {' '.join(f'{x:.3f}' for x in r['final'])}   mean {r['final_mean']}")
    (out/'levers.md').write_text(render_md(summary))
    figure(res, out, budget)
    return 0

def render_md(summary:dict)->str:
    "The lever table as markdown, rendered from levers.json (what the docs site shows under the RODS study)."
    b, arms = summary['budget_trajectories'], summary['arms']
    lines = ['# Levers tried on the validation split', '',
             f"Rendered from `levers.json` by `benchmarks/rods_levers.py`; command: `{summary['command']}`.", '',
             f"The reference study's setting with one RODS option changed per arm, every arm at the same budget, read on "
             f"{summary['n_validation']} **validation** tasks (greedy) at {b // 2} and {b} trajectories. Settings are chosen here; "
             "the test split is left to the study.", '',
             f"| arm | data | options | seeds | success at {b // 2} | success at {b} |", '|---|---|---|---|---|---|']
    f = lambda xs: ', '.join(f'{x:.3f}' for x in xs)
    for a, r in arms.items():
        opts = ', '.join(f'{k}={v}' for k, v in r['options'].items()) or '-'
        lines.append(f"| {a} | {r['data']} | {opts} | {len(r['seeds'])} | {f(r['half'])} | {f(r['final'])} |")
    return '\n'.join(lines) + '\n'

def figure(res:dict, out:Path, budget:int)->None:
    import plotly.graph_objects as go
    from rods_lab.plots import save_figure
    arms = [a for a, r in res.items() if r['final']]
    fig = go.Figure()
    for key, name, sym in (('half', f'{budget // 2} trajectories', 'circle-open'), ('final', f'{budget} trajectories', 'circle')):
        xs = [a for a in arms for _ in res[a][key]]; ys = [v for a in arms for v in res[a][key]]
        fig.add_scatter(x=xs, y=ys, mode='markers', name=name, marker=dict(symbol=sym, size=10))
    for ref, dash in (('fixed', 'dash'), ('rods', 'dot')):
        if ref in res and res[ref]['final_mean'] is not None:
            fig.add_hline(y=res[ref]['final_mean'], line_dash=dash, annotation_text=f'{ref} at {budget}')
    fig.update_layout(title='RODS levers on the validation split (mathtool steps=2, study preset)', yaxis_title='validation success (greedy)',
                      xaxis_title='arm', width=900, height=480)
    had_js = (out/'plotly.min.js').exists()
    save_figure(fig, out/'levers')
    if not had_js:                                   # a reference folder: plotly.js from its CDN (the docs site swaps in its own copy)
        import plotly.offline
        html = out/'levers.html'
        html.write_text(html.read_text().replace('src="plotly.min.js"', f'src="https://cdn.plot.ly/plotly-{plotly.offline.get_plotlyjs_version()}.min.js"'))
        (out/'plotly.min.js').unlink()

if __name__ == '__main__': sys.exit(main())
