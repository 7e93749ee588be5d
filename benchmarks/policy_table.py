"""The embedded policy's boundary table: success by world x level on the validation split, greedy and at the
rollout temperatures, for a cached preset (built first if missing). Writes figures/policy/results.json (a `levels`
list of {preset, world, difficulty, temperature, n, success, progress}) and figures/policy/README.md:

    python benchmarks/policy_table.py --preset tiny --n 512 --temps '[0.0, 0.7, 1.0]' --out figures/policy

A world has a boundary when some level's success at a rollout temperature lies in [0.25, 0.75] and the next
level up is above 0.02 (so the boundary has somewhere to move).
"""
import argparse, json, sys, time
from pathlib import Path

LEVELS = {'apiworld': ('depth', [1, 2, 3], {'turns': 1}), 'mathtool': ('steps', [1, 2, 3], {}), 'multihop': ('hops', [1, 2], {})}

def boundary(rows:list, temps:list)->dict:
    "Per world: the (level, temperature) pairs that qualify as a boundary, or an empty list."
    out = {}
    for w, (key, levels, _) in LEVELS.items():
        ok = []
        for T in temps:
            if T == 0: continue
            s = {r['difficulty'][key]: r['success'] for r in rows if r['world'] == w and r['temperature'] == T}
            ok += [dict(level=l, temperature=T, success=s[l], next_level=s.get(l + 1)) for l in levels
                   if 0.25 <= s.get(l, -1) <= 0.75 and (s.get(l + 1) or 0) > 0.02]
        out[w] = ok
    return out

def render(res:dict)->str:
    "figures/policy/README.md from results.json."
    rows, temps, b = res['levels'], sorted({r['temperature'] for r in res['levels']}), res['boundary']
    n = rows[0]['n']
    lines = [f"# The embedded `{res['preset']}` policy at its boundary", '',
             f"Rendered from `results.json`, made by `{res['command']}`; do not edit by hand.", '',
             f"`{res['preset']}`: {res['parameters']:,} parameters, built in {res['build']['seconds']:.0f} s (model `{res['model_dir']}`). "
             f"Success on the first {n} **validation** tasks of each level (`rods_lab.worlds.SPLITS`).", '',
             '| world | level | ' + ' | '.join('greedy' if T == 0 else f"T = {T}" for T in temps) + ' |',
             '|---|---|' + '---|' * len(temps)]
    for w, (key, levels, extra) in LEVELS.items():
        for l in levels:
            s = {r['temperature']: r['success'] for r in rows if r['world'] == w and r['difficulty'][key] == l}
            lines.append(f"| {w} | {key}={l} | " + ' | '.join(f"{s[T]:.3f}" for T in temps) + ' |')
    lines += ['', 'Boundary (success in [0.25, 0.75] at a rollout temperature, next level above 0.02):', '']
    lines += [f"- {w}: " + (', '.join(f"{LEVELS[w][0]}={q['level']} at T={q['temperature']} ({q['success']:.3f}; next {q['next_level']:.3f})" for q in qs)
                            if qs else '**none**') for w, qs in b.items()]
    return '\n'.join(lines) + '\n'

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='tiny'); ap.add_argument('--n', type=int, default=512)
    ap.add_argument('--temps', default='[0.0, 0.7, 1.0]'); ap.add_argument('--out', default='figures/policy')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--render-only', action='store_true', help='re-render README.md from OUT/results.json (no evaluation)')
    a = ap.parse_args(argv)
    if a.render_only:
        res = json.loads((Path(a.out)/'results.json').read_text()); (Path(a.out)/'README.md').write_text(render(res)); return 0
    from rods_lab.build import prepare_embedded
    from rods_lab.embedded import get_preset
    from rods_lab.policy import load_policy
    from rods_lab.engine import make_engine
    from rods_lab.rollout import evaluate
    from rods_lab.worlds import get_world, split_tasks
    path = prepare_embedded(a.preset)
    recipe = json.loads((Path(path)/'recipe.json').read_text())
    pol = load_policy(str(path), device=a.device, log=None)
    eng = make_engine('hf', pol.model, pol.tokenizer)
    temps, rows, t0 = json.loads(a.temps), [], time.time()
    for w, (key, levels, extra) in LEVELS.items():
        W = get_world(w)
        for l in levels:
            diff = {key: l, **extra}
            tasks = split_tasks(W, 'validation', a.n, **diff)
            for T in temps:
                t1 = time.time()
                r = evaluate(eng, pol.fmt, W, tasks, temperature=T, seed=0)
                rows.append(dict(preset=a.preset, world=w, difficulty=diff, temperature=T, n=a.n, split='validation',
                                 success=round(r['success'], 4), progress=round(r['progress'], 4), seconds=round(time.time() - t1, 1)))
                print(json.dumps(rows[-1]), flush=True)
    b = boundary(rows, temps)
    res = dict(command=f"python benchmarks/policy_table.py --preset {a.preset} --n {a.n} --temps '{a.temps}' --out {a.out}",
               preset=a.preset, model_dir=Path(path).name, parameters=recipe['build']['n_params'], build=recipe['build'],
               levels=rows, boundary=b, eval_seconds=round(time.time() - t0, 1))
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    (out/'results.json').write_text(json.dumps(res, indent=1))
    (out/'README.md').write_text(render(res))
    print((out/'README.md').read_text())
    return 0

if __name__ == '__main__': sys.exit(main())
