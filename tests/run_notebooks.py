"""Run the library notebooks one after another in ONE process, in a chosen order.

`nbdev-test --n-workers N` reuses worker processes, so a notebook can inherit process-wide state
(🤗 Accelerate's state, torch's thread count and RNG, environment variables, plotly defaults, the working
directory) from whichever notebooks ran before it in the same worker. This script makes that worst case
explicit: every notebook shares one process with all those before it. A notebook that passes here in
several orders does not depend on what ran before it.

    python tests/run_notebooks.py                    # dependency order (00_core first)
    python tests/run_notebooks.py --order reverse
    python tests/run_notebooks.py --order shuffle --seed 3
    python tests/run_notebooks.py nbs/08_train.ipynb nbs/03c_policy.ipynb nbs/08_train.ipynb   # exactly these

Exit status 1 when any notebook fails (the rest still run); prints one line per notebook.
"""
import argparse, random, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def notebooks(order:str, seed:int)->list[Path]:
    "The library notebooks (`nbs/*.ipynb`, not `_`-prefixed) in `order`: sorted, reverse or shuffle."
    files = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
    if order == 'reverse': files.reverse()
    elif order == 'shuffle': random.Random(seed).shuffle(files)
    elif order != 'sorted': raise SystemExit(f"--order must be sorted, reverse or shuffle, got {order!r}")
    return files

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('files', nargs='*', type=Path, help='notebooks to run in this order (default: all of nbs/)')
    ap.add_argument('--order', default='sorted', help='sorted, reverse or shuffle (ignored when files are given)')
    ap.add_argument('--seed', type=int, default=0, help='seed of --order shuffle')
    args = ap.parse_args(argv)
    from nbdev.config import get_config
    from nbdev.test import test_nb
    cfg = get_config(ROOT)
    flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    files = [f.resolve() for f in args.files] or notebooks(args.order, args.seed)
    print('order:', ' '.join(f.stem for f in files), flush=True)
    failed, t0 = [], time.time()
    for f in files:
        ok, secs = test_nb(f, skip_flags=flags, basepath=cfg.config_path, cell_timeout=cfg.cell_timeout or None)
        print(f"{'ok  ' if ok else 'FAIL'} {f.name} ({secs:.0f} s)", flush=True)
        if not ok: failed.append(f.name)
    print(f"{len(files) - len(failed)} passed, {len(failed)} failed in {time.time() - t0:.0f} s" + (f": {', '.join(failed)}" if failed else ''))
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main())
