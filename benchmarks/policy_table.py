"""The embedded policy's boundary table: success by world x level on the validation split, greedy and at the
rollout temperatures, for a cached preset (built first if missing). Each preset's rows go into
figures/policy/results.json beside the other presets' (a `levels` list of {preset, world, difficulty, temperature,
n, success, progress}, and a `targets` list decided by `rods_lab.experiments.compare`); figures/policy/README.md
is rendered from it:

    python benchmarks/policy_table.py --preset study --n 512 --temps '[0.0, 0.7, 1.0]' --out figures/policy

A world has a boundary at a rollout temperature T when some level's success lies in [0.25, 0.75] and the next
level up is above 0.02 (so the boundary has somewhere to move). Each of the three inequalities is a claim the
comparison helper decides on the per-task outcomes (a one-sample paired bootstrap against the constant), so a
level that sits on an edge within its interval is `not met`, not a pass.
"""
import argparse, json, sys, time
from pathlib import Path
import numpy as np

LEVELS = {'apiworld': ('depth', [1, 2, 3], {'turns': 1}), 'mathtool': ('steps', [1, 2, 3], {}), 'multihop': ('hops', [1, 2], {})}
BAND, NEXT = (0.25, 0.75), 0.02

def outcomes(row:dict)->np.ndarray:
    "A row's per-task successes (stored as a string of 0/1, one character per task) as a 1 x n array."
    return np.array([[float(c) for c in row['outcomes']]])

def candidate(rows:list, preset:str, world:str, T:float)->tuple[dict, dict|None]|None:
    "The level row whose success is nearest the band's middle at T (preferring ones inside the band), and the next level's row."
    key, levels, _ = LEVELS[world]
    at = {r['difficulty'][key]: r for r in rows if r['preset'] == preset and r['world'] == world and r['temperature'] == T}
    if not at: return None
    inside = lambda r: BAND[0] <= r['success'] <= BAND[1]
    best = min(at.values(), key=lambda r: (not inside(r), not (at.get(r['difficulty'][key] + 1, {}).get('success', 0) > NEXT),
                                           abs(r['success'] - sum(BAND) / 2)))
    return best, at.get(best['difficulty'][key] + 1)

def boundary_targets(rows:list, preset:str, temps:list)->list:
    "One target per (world, rollout temperature): the candidate level's three inequalities, each decided by `compare`."
    from rods_lab.experiments import compare
    out = []
    for w, (key, *_ ) in LEVELS.items():
        for T in temps:
            if T == 0 or (c := candidate(rows, preset, w, T)) is None: continue
            lvl, nxt = c
            s = outcomes(lvl); z = np.zeros_like(s)
            parts = [compare(s, z, 'greater', margin=BAND[0], floor=None, ceiling=None, name='above 0.25'),
                     compare(s, z, 'less', margin=BAND[1], floor=None, ceiling=None, name='below 0.75')]
            if nxt is not None:
                t = outcomes(nxt); parts.append(compare(t, np.zeros_like(t), 'greater', margin=NEXT, floor=None, ceiling=None,
                                                                     name='next level above 0.02'))
            verdicts = [p['verdict'] for p in parts]
            verdict = 'met' if all(v == 'met' for v in verdicts) and nxt is not None else 'uninformative' if 'uninformative' in verdicts else 'not met'
            out.append(dict(name=f"{preset}/{w}/T={T}", preset=preset, world=w, temperature=T, level={key: lvl['difficulty'][key]},
                            claim=f"{w} {key}={lvl['difficulty'][key]} at T={T}: success in [{BAND[0]}, {BAND[1]}] and "
                                  + (f"{key}={lvl['difficulty'][key] + 1} above {NEXT}" if nxt is not None else "a next level (none measured)"),
                            verdict=verdict, a=lvl['success'], b=None if nxt is None else nxt['success'], n_seeds=1, n_test=lvl['n'],
                            parts=[{k: p[k] for k in ('name', 'verdict', 'a', 'diff', 'ci95', 'why')} for p in parts]))
    return out

def _table(rows:list, preset:str, temps:list)->list[str]:
    lines = ['| world | level | ' + ' | '.join('greedy' if T == 0 else f"T = {T}" for T in temps) + ' |', '|---|---|' + '---|' * len(temps)]
    for w, (key, levels, extra) in LEVELS.items():
        for l in levels:
            s = {r['temperature']: r['success'] for r in rows if r['preset'] == preset and r['world'] == w and r['difficulty'][key] == l}
            lines.append(f"| {w} | {key}={l} | " + ' | '.join(f"{s[T]:.3f}" if T in s else '–' for T in temps) + ' |')
    return lines

def render(res:dict)->str:
    "figures/policy/README.md from results.json."
    lines = ['# The embedded policies at their boundary', '',
             'Rendered from `results.json` by `python benchmarks/policy_table.py --render-only`; do not edit by hand. '
             'Success on the first n **validation** tasks of each level (`rods_lab.worlds.SPLITS`); one build per preset.', '']
    for name, p in res['presets'].items():
        rows = [r for r in res['levels'] if r['preset'] == name]
        temps = sorted({r['temperature'] for r in rows})
        lines += [f"## `{name}`", '', f"Made by `{p['command']}`.", '',
                  f"{p['parameters']:,} parameters, built in {p['build']['seconds']:.0f} s (model `{p['model_dir']}`; "
                  f"{p['build'].get('threads', '?')} threads), n = {rows[0]['n']} per cell, evaluated in {p['eval_seconds']:.0f} s.", '']
        lines += _table(rows, name, temps)
        lines += ['', f"Boundary targets (decided by `compare`: each inequality's 95% bootstrap interval must clear its edge):", '', '```']
        for t in [t for t in res['targets'] if t['preset'] == name]:
            parts = '; '.join(f"{q['name']} {q['verdict']} ({q['a']:.3f})" for q in t['parts'])
            lines.append(f"{t['name']:24s} {t['verdict']:13s} {t['claim']}  [{parts}]")
        lines += ['```', '']
    return '\n'.join(lines)

def evaluate_dir(path:str|Path, label:str, n:int, temps:list, device:str='cpu')->tuple[dict, list]:
    "Per-task outcomes of the model in `path` on every level x temperature, its rows labelled `label` (its meta, its rows)."
    from rods_lab.policy import load_policy
    from rods_lab.engine import make_engine
    from rods_lab.rollout import rollout, RolloutConfig
    from rods_lab.worlds import get_world, split_tasks
    rec = Path(path)/'recipe.json'
    build = json.loads(rec.read_text())['build'] if rec.exists() else None
    pol = load_policy(str(path), device=device, log=None)
    eng, rows, t0 = make_engine('hf', pol.model, pol.tokenizer), [], time.time()
    for w, (key, levels, extra) in LEVELS.items():
        W = get_world(w)
        for l in levels:
            diff = {key: l, **extra}
            tasks = split_tasks(W, 'validation', n, **diff)
            for T in temps:
                t1 = time.time()
                by = {t.task_id: t for t in rollout(eng, pol.fmt, W, tasks, RolloutConfig(group_size=1, temperature=T), seed=0, step=-1)}
                s = [float(by[t.id].success) for t in tasks]
                rows.append(dict(preset=label, world=w, difficulty=diff, temperature=T, n=n, split='validation', success=round(float(np.mean(s)), 4),
                                 progress=round(float(np.mean([by[t.id].progress for t in tasks])), 4), seconds=round(time.time() - t1, 1),
                                 outcomes=''.join(str(int(x)) for x in s)))
                print(json.dumps({k: v for k, v in rows[-1].items() if k != 'outcomes'}), flush=True)
    meta = dict(model_dir=Path(path).name, parameters=sum(x.numel() for x in pol.model.parameters()), build=build, eval_seconds=round(time.time() - t0, 1))
    return meta, rows

def evaluate_preset(preset:str, n:int, temps:list, device:str)->tuple[dict, list]:
    "Per-task outcomes of `preset` (built first if missing) on every level x temperature (its meta, its rows)."
    from rods_lab.build import prepare_embedded
    return evaluate_dir(prepare_embedded(preset), preset, n, temps, device)

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='tiny'); ap.add_argument('--n', type=int, default=512)
    ap.add_argument('--temps', default='[0.0, 0.7, 1.0]'); ap.add_argument('--out', default='figures/policy')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--render-only', action='store_true', help='re-decide the targets from the stored outcomes and re-render README.md (no evaluation)')
    a = ap.parse_args(argv)
    if a.n < 1: ap.error(f"--n must be a positive number of tasks, got {a.n}")
    out = Path(a.out); f = out/'results.json'
    res = json.loads(f.read_text()) if f.exists() else {}
    res = res if 'presets' in res else dict(presets={}, levels=[], targets=[])
    if a.render_only and res['levels']:
        res['targets'] = [t for name in res['presets'] for t in boundary_targets(res['levels'], name, sorted({r['temperature'] for r in res['levels'] if r['preset'] == name}))]
        f.write_text(json.dumps(res, indent=1))
    if not a.render_only:
        temps = json.loads(a.temps)
        meta, rows = evaluate_preset(a.preset, a.n, temps, a.device)
        res['presets'][a.preset] = dict(command=f"python benchmarks/policy_table.py --preset {a.preset} --n {a.n} --temps '{a.temps}' --out {a.out}", **meta)
        res['levels'] = [r for r in res['levels'] if r['preset'] != a.preset] + rows
        res['targets'] = [t for t in res['targets'] if t['preset'] != a.preset] + boundary_targets(rows, a.preset, temps)
        out.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(res, indent=1))
    (out/'README.md').write_text(render(res))
    print((out/'README.md').read_text())
    return 0

if __name__ == '__main__': sys.exit(main())
