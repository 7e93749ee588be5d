"""Environment speed, per world, on one core: tasks generated per second and environment steps per second.

    python benchmarks/worlds_bench.py [--n 2000] [--seed 0]

A step is one `Episode.step` call replaying the world's oracle actions (parse, validate, execute, progress);
episode creation is timed separately. Prints one line per world. Not a test: figures only.
"""
import argparse, os, time
os.environ.setdefault('OMP_NUM_THREADS', '1')
from rods_lab.worlds import get_world

def bench(name:str, n:int, seed:int)->dict:
    w = get_world(name)
    w.sample(10, seed=seed + 1)                       # warm caches (e.g. the multihop index)
    t0 = time.perf_counter(); tasks = w.sample(n, seed=seed); t_gen = time.perf_counter() - t0
    plans = [(t, w.oracle(t)) for t in tasks]
    t_ep = t_step = 0.0; steps = 0
    for t, acts in plans:
        a = time.perf_counter(); ep = w.episode(t); b = time.perf_counter()
        for x in acts: ep.step(x)
        c = time.perf_counter()
        t_ep += b - a; t_step += c - b; steps += len(acts)
        assert ep.success
    return dict(world=name, tasks_per_s=n / t_gen, steps_per_s=steps / t_step, episodes_per_s=n / t_ep, steps=steps)

if __name__ == '__main__':
    p = argparse.ArgumentParser(); p.add_argument('--n', type=int, default=2000); p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    try: os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})   # one core
    except (AttributeError, OSError): pass
    for name in ('apiworld', 'multihop', 'mathtool'):
        r = bench(name, a.n, a.seed)
        print(f"{r['world']:9s} tasks/s {r['tasks_per_s']:9.0f}   steps/s {r['steps_per_s']:9.0f}   episodes/s {r['episodes_per_s']:9.0f}   ({r['steps']} oracle steps)")
