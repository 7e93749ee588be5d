"""Success by world x level on the validation split for one built model directory (a cached embedded build, a rejected
one under <cache>/embedded/rejected/, or any chat model the lab loads), greedy and at the given temperatures:

    python benchmarks/levels_eval.py DIR --n 128 --temps '[0.0, 0.7]' --out figures/policy/gate_rounds.json

Prints one line per (world, level, T) and writes them, with the build's recipe.json `build` stats when there is one,
to --out (JSON). Levels are those of benchmarks/policy_table.py.
"""
import argparse, json, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from policy_table import LEVELS

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('model'); ap.add_argument('--n', type=int, default=128); ap.add_argument('--temps', default='[0.0, 0.7]')
    ap.add_argument('--out', required=True); ap.add_argument('--label', default=None, help='what the rows are called (default: the directory name)')
    a = ap.parse_args(argv)
    temps = json.loads(a.temps)
    if a.n < 1 or not isinstance(temps, list) or not all(isinstance(t, (int, float)) and t >= 0 for t in temps):
        ap.error(f"--n must be >= 1 and --temps a JSON list of temperatures >= 0, got {a.n} and {a.temps!r}")
    from rods_lab.policy import load_policy
    from rods_lab.engine import make_engine
    from rods_lab.rollout import evaluate
    from rods_lab.worlds import get_world, split_tasks
    pol, t0 = load_policy(a.model), time.time()
    eng, rows = make_engine('hf', pol.model, pol.tokenizer), []
    for w, (key, levels, fixed) in LEVELS.items():
        W = get_world(w)
        for lv in levels:
            tasks = split_tasks(W, 'validation', a.n, **{key: lv, **fixed})
            for T in temps:
                r = evaluate(eng, pol.fmt, W, tasks, temperature=T, seed=0)
                rows.append(dict(world=w, difficulty={key: lv}, temperature=T, n=a.n, success=round(r['success'], 4), progress=round(r['progress'], 4)))
                print(f"{w} {key}={lv} T={T}: success {rows[-1]['success']:.3f}, progress {rows[-1]['progress']:.3f}", flush=True)
    rec = Path(a.model)/'recipe.json'
    build = json.loads(rec.read_text()).get('build') if rec.exists() else None
    out = dict(model=a.label or Path(a.model).name, split='validation', build=build, eval_s=round(time.time() - t0, 1), levels=rows,
               command=f"python benchmarks/levels_eval.py {a.model} --n {a.n} --temps '{a.temps}' --out {a.out}")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1))
    return 0

if __name__ == '__main__': sys.exit(main())
