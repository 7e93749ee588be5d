"""The boundary table of `benchmarks/policy_table.py` for one built model directory (a build of another seed, a rejected
one under <cache>/embedded/rejected/, or any chat model the lab loads): success by world x level on the validation
split at each temperature, and the boundary targets decided by `rods_lab.experiments.compare`:

    python benchmarks/levels_eval.py DIR --n 128 --temps '[0.0, 0.7]' --out figures/policy/gate_rounds.json

Writes the rows (with per-task outcomes), the build's recipe.json `build` stats when there is one, the targets and the
command to --out (JSON), and prints the targets.
"""
import argparse, json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from policy_table import evaluate_dir, boundary_targets

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('model'); ap.add_argument('--n', type=int, default=128); ap.add_argument('--temps', default='[0.0, 0.7]')
    ap.add_argument('--out', required=True); ap.add_argument('--device', default='cpu')
    ap.add_argument('--label', default=None, help='what the rows are called (default: the directory name)')
    a = ap.parse_args(argv)
    temps = json.loads(a.temps)
    if a.n < 1 or not isinstance(temps, list) or not all(isinstance(t, (int, float)) and t >= 0 for t in temps):
        ap.error(f"--n must be >= 1 and --temps a JSON list of temperatures >= 0, got {a.n} and {a.temps!r}")
    if not (Path(a.model)/'config.json').is_file(): ap.error(f"{a.model}: not a model directory (no config.json)")
    label = a.label or Path(a.model).name
    meta, rows = evaluate_dir(a.model, label, a.n, temps, a.device)
    targets = boundary_targets(rows, label, [T for T in temps if T > 0])
    out = dict(model=label, split='validation', **meta, levels=rows, targets=targets,
               command=f"python benchmarks/levels_eval.py {a.model} --n {a.n} --temps '{a.temps}' --label {label} --out {a.out}")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(out, indent=1))
    for t in targets: print(f"{t['name']:28s} {t['verdict']:13s} {t['claim']}")
    return 0

if __name__ == '__main__': sys.exit(main())
