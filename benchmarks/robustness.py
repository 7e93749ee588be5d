"""Robustness of an embedded preset's recipe across machines: build it with several seeds x torch thread counts
(different reduction orders stand in for different machines' floating point), evaluate each build on the
validation split, and check that every build lands in the preset's quality band. Resumable: a build whose
result.json exists is not redone, so a second invocation finishes an interrupted sweep.

    python benchmarks/robustness.py --preset study --seeds 0 1 2 3 --threads 1 2 --n 256 --work runs/robustness --out figures/policy

Writes OUT/robustness.json (one entry per build: seed, threads, build seconds, copy accuracy, success by world x
level x temperature, and `in_band` for the preset's gate) and prints the table.
"""
import argparse, json, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEVELS = '{"apiworld":[1,2,3],"mathtool":[1,2,3],"multihop":[1,2]}'

def build_one(preset:str, seed:int, threads:int, n:int, temps:str, work:Path)->dict:
    "Build and evaluate one (seed, threads) pair unless its result.json exists; returns that result."
    d = work/f"{preset}-s{seed}-t{threads}"
    if (d/'result.json').exists(): return json.loads((d/'result.json').read_text())
    d.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(HERE/'embedded_builds.py'), '--preset', preset, '--seed', str(seed), '--threads', str(threads),
           '--levels', LEVELS, '--temps', temps, '--split', 'validation', '--n', str(n), '--out', str(d)]
    with open(d/'build.log', 'w') as log: subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True)
    return json.loads((d/'result.json').read_text())

def entry(preset, res:dict)->dict:
    "One build's row: its stats, its levels and whether its gate level is inside the preset's band."
    from rods_lab.embedded import get_preset
    world, diff, lo, hi = get_preset(preset).gate
    key = next(iter(k for k in diff if k != 'turns'))
    gate = next(r['success'] for r in res['rows'] if r['world'] == world and r['level'] == diff[key] and r['T'] == 0.0)
    a = res['args']
    tries = res['stats'].get('gate', {}).get('tries', [])             # the build's own gate (64 tasks) after each SFT round
    return dict(preset=preset, seed=a['seed'], threads=a['threads'], build_seconds=res['stats']['build_s'], copy_acc=res.get('copy_acc'),
                sft_rounds=len(tries) or 1, gate_tries=tries,
                n=a['n'], gate=dict(world=world, difficulty=diff, success=gate, band=[lo, hi]), in_band=bool(lo <= gate <= hi), levels=res['rows'])

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='study'); ap.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3])
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2]); ap.add_argument('--n', type=int, default=256)
    ap.add_argument('--temps', default='[0.0, 1.0]'); ap.add_argument('--jobs', type=int, default=1, help='builds at once')
    ap.add_argument('--work', default='runs/robustness'); ap.add_argument('--out', default='figures/policy')
    a = ap.parse_args(argv)
    if a.n < 1 or a.jobs < 1: ap.error(f"--n and --jobs must be >= 1, got {a.n} and {a.jobs}")
    work, t0 = Path(a.work), time.time()
    pairs = [(s, t) for t in a.threads for s in a.seeds]
    with ThreadPoolExecutor(a.jobs) as pool:
        results = list(pool.map(lambda st: build_one(a.preset, *st, a.n, a.temps, work), pairs))
    rows = [entry(a.preset, r) for r in results]
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    f = out/'robustness.json'
    old = json.loads(f.read_text()) if f.exists() else {}
    sweeps = {k: v for k, v in old.get('sweeps', {}).items() if k != a.preset}
    sweeps[a.preset] = dict(command=f"python benchmarks/robustness.py --preset {a.preset} --seeds {' '.join(map(str, a.seeds))} "
                                    f"--threads {' '.join(map(str, a.threads))} --n {a.n} --temps '{a.temps}' --jobs {a.jobs}",
                            builds=rows, all_in_band=all(r['in_band'] for r in rows), wall_s=round(time.time() - t0, 1))
    f.write_text(json.dumps(dict(note='greedy gate success per build on the validation split; levels at each temperature', sweeps=sweeps), indent=1))
    for r in rows:
        print(f"{r['preset']} seed {r['seed']} threads {r['threads']}: {r['build_seconds']:.0f}s, {r['sft_rounds']} SFT round(s), gate {r['gate']['success']:.3f} "
              f"in {r['gate']['band']}: {'yes' if r['in_band'] else 'NO'}")
    print(f"all {len(rows)} builds in band: {sweeps[a.preset]['all_in_band']}")
    return 0 if sweeps[a.preset]['all_in_band'] else 1

if __name__ == '__main__': sys.exit(main())
