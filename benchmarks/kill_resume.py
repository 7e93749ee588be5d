"""Kill -9 a short RODS run at random points, resume it each time, and compare every file of its run directory with an uninterrupted run.

    python benchmarks/kill_resume.py [--points 20] [--steps 44] [--seed 0] [--out /tmp/kill_resume] [--keep]

The reference run and the killed run have the same settings (micro model, apiworld, the RODS data strategy, a
checkpoint and a gradient probe every step, rollouts saved). The killed run is started, killed with SIGKILL at a random
moment (a quarter in start-up and checkpoint loading, the rest a random time up to 1.2 steps after the process logs a
new step: rollouts, updates, evaluations, probe and checkpoint writes), resumed with `--resume true`, killed again,
... `--points` times, then left to finish (`--steps` defaults to twice the points plus four, so that the run is still
going at the last kill; a point that finds the run finished is reported as such). Then every file
of both run directories is compared: metrics (without timing fields), rollouts and buffer snapshots (decompressed),
the buffer event log, the gradient probe, config.json (the run directory's own path aside), the kept marks and the
final checkpoint (weights as tensors, optimiser, scheduler, RNG and lab state as loaded values). Figures (plotly
HTML with random element ids) and TensorBoard files are listed but not compared. Prints one line per file
(`same`, `DIFFERS`, `only in ...`) and a summary; exit 1 when any file differs. Not a test: a benchmark.
"""
import argparse, gzip, json, os, random, shutil, signal, subprocess, sys, time
from pathlib import Path

EXE = str(Path(sys.executable).parent/'rods-lab')
ARGS = ['--world', 'apiworld', '--data', 'rods', '--model', 'embedded:micro', '--reward', 'progress', '--batch-size', '8',
        '--group-size', '4', '--pool-size', '8', '--eval-n', '4', '--eval-every', '2', '--max-total-tokens', '160',
        '--max-action-tokens', '32', '--ckpt-every', '1', '--grad-probe-every', '1', '--grad-probe-tasks', '2']
ENV = {**os.environ, 'OMP_NUM_THREADS': '1', 'HF_HUB_OFFLINE': '1'}
SKIP = ('figures/', 'tb/')

def train_cmd(out:Path, steps:int, seed:int, resume:bool)->list[str]:
    return [EXE, 'train', '--steps', str(steps), '--seed', str(seed), '--out', str(out), *ARGS] + (['--resume', 'true'] if resume else [])

def timed_run(out:Path, steps:int, seed:int)->tuple[float, float]:
    "The uninterrupted run: (seconds until its step-0 line is logged, i.e. start-up; seconds per step after that)."
    t0, first, err = time.time(), None, out.with_name(out.name + '.stderr')
    p = subprocess.Popen(train_cmd(out, steps, seed, False), env=ENV, stdout=subprocess.DEVNULL, stderr=open(err, 'wb'))   # a file: a full pipe would stall it
    while p.poll() is None:
        if first is None and (out/'metrics.jsonl').exists() and (out/'metrics.jsonl').read_text().strip(): first = time.time() - t0
        time.sleep(0.05)
    if p.returncode != 0: raise SystemExit(f"the uninterrupted run failed:\n{err.read_text()[-3000:]}")
    total = time.time() - t0
    first = first if first is not None else total / 2
    return first, (total - first) / steps

def _max_step(out:Path)->int:
    "The largest step logged so far (-1: none); a torn last line is ignored."
    best = -1
    for l in ((out/'metrics.jsonl').read_text().splitlines() if (out/'metrics.jsonl').exists() else []):
        try: best = max(best, int(json.loads(l)['step']))
        except (ValueError, KeyError, TypeError): pass
    return best

def killed_run(out:Path, steps:int, seed:int, points:int, t_start:float, t_step:float, rng:random.Random)->list[dict]:
    """Start, SIGKILL, resume ... `points` times; then let the run finish. A quarter of the kills land at a random moment of
    start-up and checkpoint loading; the others a random time (up to 1.2 steps) after the process logs a new step, so
    they fall in rollouts, updates, evaluations, probe and checkpoint writes. Returns what each kill interrupted."""
    log = []
    for i in range(points):
        m0, err = _max_step(out), out.with_name(out.name + '.stderr')
        p = subprocess.Popen(train_cmd(out, steps, seed, resume=i > 0), env=ENV, stdout=subprocess.DEVNULL, stderr=open(err, 'wb'))
        early = rng.random() < 0.25
        delay = rng.uniform(0.2, t_start) if early else rng.uniform(0.0, 1.2 * t_step)
        t0 = time.time()
        while p.poll() is None and not early and _max_step(out) <= m0: time.sleep(0.02)   # until this process logs a new step
        try: p.wait(timeout=delay); log.append(dict(point=i, killed=False, rc=p.returncode, err=err.read_text()[-300:])); continue
        except subprocess.TimeoutExpired: pass
        p.send_signal(signal.SIGKILL); p.wait()
        log.append(dict(point=i, killed=True, when='start-up' if early else f"{delay:.2f}s after step {_max_step(out)}", after_s=round(time.time() - t0, 1)))
    r = subprocess.run(train_cmd(out, steps, seed, resume=True), env=ENV, capture_output=True, text=True)
    if r.returncode != 0: raise SystemExit(f"the final resume failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    return log

def _gz_text(p:Path)->str:
    with gzip.open(p, 'rt', encoding='utf-8') as f: return f.read()

def _metrics(p:Path)->list:
    from rods_lab.trainer import deterministic_metrics
    return [deterministic_metrics(json.loads(l)) for l in p.read_text().splitlines() if l.strip()]

def _torch_value(p:Path):
    from rods_lab.ckpt_files import torch_load_safe, load_state_file
    from accelerate.utils.other import TORCH_SAFE_GLOBALS
    return load_state_file(p) if p.name == 'lab_state.pt' else torch_load_safe(p, TORCH_SAFE_GLOBALS)

def _equal(a, b)->bool:
    "Deep equality of loaded checkpoint values (tensors, numpy arrays, containers, dataclasses)."
    import numpy as np, torch
    if isinstance(a, torch.Tensor): return isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and torch.equal(a, b)
    if isinstance(a, np.ndarray): return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict): return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)): return type(a) == type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b: return True
    return a == b

def same_file(rel:str, a:Path, b:Path, ra:Path, rb:Path)->bool:
    "Do two files of the two runs hold the same content (in the sense of their kind)?"
    if rel == 'config.json':
        ca, cb = (json.loads(x.read_text().replace(str(r), "<RUN>")) for x, r in ((a, ra), (b, rb)))
        for c in (ca, cb): c["config"].pop("resume", None)          # how it was launched: a run killed before its first checkpoint restarts with resume=True
        return ca == cb
    if rel == 'metrics.jsonl': return _metrics(a) == _metrics(b)
    if rel.endswith('.gz'): return _gz_text(a) == _gz_text(b)
    if rel.endswith('.safetensors'):
        from safetensors.torch import load_file
        return _equal(load_file(str(a)), load_file(str(b)))
    if rel.endswith(('.bin', '.pkl', '.pt')): return _equal(_torch_value(a), _torch_value(b))
    return a.read_bytes() == b.read_bytes()

def compare(ref:Path, got:Path)->list[tuple[str, str]]:
    files = lambda d: {str(p.relative_to(d)) for p in d.rglob('*') if p.is_file()}
    fa, fb = files(ref), files(got)
    out = []
    for rel in sorted(fa | fb):
        if rel.startswith(SKIP): out.append((rel, 'not compared')); continue
        if rel not in fb: out.append((rel, 'only in the uninterrupted run')); continue
        if rel not in fa: out.append((rel, 'only in the killed run')); continue
        out.append((rel, 'same' if same_file(rel, ref/rel, got/rel, ref, got) else 'DIFFERS'))
    return out

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--points', type=int, default=20, help='kill -9 points (>= 1)')
    p.add_argument('--steps', type=int, default=None, help='optimiser steps of the run (default: 2 x points + 4, so that it is still going at the last kill)')
    p.add_argument('--seed', type=int, default=0, help='seed of the runs and of the kill delays')
    p.add_argument('--out', default='/tmp/kill_resume', help='where the two run directories go (emptied first)')
    p.add_argument('--keep', action='store_true', help='keep the run directories')
    a = p.parse_args()
    a.steps = a.steps or 2 * a.points + 4
    if a.points < 1 or a.steps < 1: p.error('--points and --steps must be >= 1')
    root = Path(a.out); shutil.rmtree(root, ignore_errors=True); root.mkdir(parents=True)
    from rods_lab.build import prepare_embedded
    prepare_embedded('micro', log=None)
    t_start, t_step = timed_run(root/'uninterrupted', a.steps, a.seed)
    print(f"uninterrupted run: start-up {t_start:.1f}s, then {a.steps} steps at {t_step:.1f}s each")
    t1 = time.time()
    log = killed_run(root/'killed', a.steps, a.seed, a.points, t_start, t_step, random.Random(a.seed))
    kills = [e for e in log if e['killed']]
    print(f"killed run: {len(kills)} kill -9 points, finished after {time.time() - t1:.1f}s; kills at: {'; '.join(e['when'] for e in kills)}")
    for e in log:
        if not e['killed']: print(f"  point {e['point']}: the process exited ({e['rc']}) before the kill" + (f": {e['err']}" if e['rc'] else ' (the run was finished)'))
    res = compare(root/'uninterrupted', root/'killed')
    for rel, status in res: print(f"{status:30s} {rel}")
    bad = [r for r, s in res if s not in ('same', 'not compared')]
    print(f"\n{sum(s == 'same' for _, s in res)} files identical, {len(bad)} differ or are missing, "
          f"{sum(s == 'not compared' for _, s in res)} not compared (figures, tensorboard)")
    if not a.keep: shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if bad else 0)
