"""The `tree` advantage from the batch's tree tensors against the path-based estimator it replaced (commit 58253fa,
which rebuilt each tree from the rows' `node_path`s): the same values on random trees, and the time per batch.

    python benchmarks/tree_advantage.py [--trees 16] [--leaves 8] [--repeats 50]

Prints the largest difference between the two and milliseconds per batch for: the old estimator alone, `collate`
without tree tensors, `collate` with them (`tree_index`) plus the new estimator, and each part alone.
"""
import argparse, math, random, subprocess, time
from pathlib import Path
from typing import Callable, Sequence
import torch
from torch import Tensor
from rods_lab.core import Trajectory, Turn
from rods_lab.rollout import TreeError
from rods_lab.train import collate, tree_index, TREE_TENSORS
from rods_lab.advantage import compute_advantages
import rods_lab.tree                                           # registers 'tree'

OLD = '58253fa'

def old_estimator():
    "The path-based `tree_advantages` of commit OLD, from git history."
    src = subprocess.run(['git', 'show', f'{OLD}:rods_lab/tree.py'], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent).stdout
    body = src[src.index('def leaf_paths'):src.index('# %% ../nbs/10_tree.ipynb #1d453131')].replace("@register_advantage('tree')\n", '')
    ns = dict(torch=torch, Tensor=Tensor, Sequence=Sequence, Callable=Callable, Trajectory=Trajectory, TreeError=TreeError, math=math)
    exec(body, ns)
    return ns['tree_advantages']

def random_tree(rng:random.Random, task:str, leaves:int, depth:int=3)->list[Trajectory]:
    "Leaves with paths that share prefixes (none a prefix of another); a shared node has one set of action ids."
    acts, paths, out = {}, set(), []
    while len(paths) < leaves:
        p = tuple(rng.randint(0, 2) for _ in range(rng.randint(1, depth)))
        if not any(q[:len(p)] == p or p[:len(q)] == q for q in paths): paths.add(p)
    for p in sorted(paths):
        turns = []
        for k in range(len(p)):
            ids = acts.setdefault(p[:k + 1], [rng.randint(10, 99) for _ in range(rng.randint(3, 30))])
            turns.append(Turn(action_ids=list(ids), logprobs=[-0.1] * len(ids), obs_ids=[5] * rng.randint(2, 20) if k < len(p) - 1 else []))
        out.append(Trajectory(task, [1, 2], turns, reward=float(rng.random() < 0.4), node_path=p))
    return out

def per_batch_ms(f:Callable, repeats:int)->float:
    f(); t0 = time.perf_counter()
    for _ in range(repeats): f()
    return 1e3 * (time.perf_counter() - t0) / repeats

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--trees', type=int, default=16); ap.add_argument('--leaves', type=int, default=8)
    ap.add_argument('--repeats', type=int, default=50)
    a = ap.parse_args(argv)
    rng, trajs, gids = random.Random(0), [], []
    for g in range(a.trees):
        t = random_tree(rng, f't{g}', a.leaves); trajs += t; gids += [g] * len(t)
    gids, r = torch.tensor(gids), torch.tensor([t.reward for t in trajs])
    old = old_estimator()
    b = collate(trajs, group_ids=gids)
    def new():
        bb = collate(trajs, group_ids=gids)
        return compute_advantages('tree', r, gids, bb['completion_mask'], **{k: bb[k] for k in TREE_TENSORS})
    diff = (old(r, gids, b['completion_mask'], trajectories=trajs) - new()).abs().max().item()
    print(f"{len(trajs)} leaves in {a.trees} trees, {len(b['node_parent'])} nodes; largest |old - new| = {diff:.2e}")
    nodes = {k: b[k] for k in TREE_TENSORS}
    for name, f in (('old: path-based estimator', lambda: old(r, gids, b['completion_mask'], trajectories=trajs)),
                    ('collate without tree tensors', lambda: collate(trajs)),
                    ('new: collate with tree tensors + estimator', new),
                    ('  tree_index alone', lambda: tree_index(trajs, gids)),
                    ('  estimator alone', lambda: compute_advantages('tree', r, gids, b['completion_mask'], **nodes))):
        print(f"{name}: {per_batch_ms(f, a.repeats):.2f} ms per batch")

if __name__ == '__main__': main()
