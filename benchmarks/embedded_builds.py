"""Build an embedded preset (seed, torch threads, optional recipe overrides) and print its greedy validation success per world and level, and its copy-drill accuracy; writes DIR/result.json. Used for figures/policy/robustness.json:
    python benchmarks/embedded_builds.py --seed S --threads T --levels '{"apiworld":[1,2,3],"mathtool":[1,2],"multihop":[1]}' --out DIR
"""
import argparse, json, time, os, dataclasses, sys
ap = argparse.ArgumentParser()
ap.add_argument('--preset', default='tiny'); ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--threads', type=int, default=2); ap.add_argument('--over', default='{}'); ap.add_argument('--sft', default='{}')
ap.add_argument('--mix', default=None); ap.add_argument('--n', type=int, default=64); ap.add_argument('--out', required=True)
ap.add_argument('--levels', default='{"apiworld":[1,2],"mathtool":[1,2],"multihop":[1,2]}')
ap.add_argument('--temps', default='[0.0]')
ap.add_argument('--task-seed', type=int, default=424242, help='seed of the evaluated tasks (robustness.json used 424242)')
ap.add_argument('--split', default=None, help="evaluate on this split of rods_lab.worlds.SPLITS (e.g. 'validation') instead of --task-seed")
a = ap.parse_args()
import torch; torch.set_num_threads(a.threads)
from rods_lab import embedded as P                 # presets, `levels` (for --mix), copy drills
from rods_lab.chat import SPECIAL_TOKENS
from rods_lab.build import build_embedded
from rods_lab.policy import load_policy
from rods_lab.worlds import get_world, split_tasks
p = P.get_preset(a.preset)
sft = dataclasses.replace(p.sft, **json.loads(a.sft))
if a.mix: sft = dataclasses.replace(sft, mix=eval(a.mix, vars(P)))
p = dataclasses.replace(p, sft=sft, **json.loads(a.over))
t0 = time.time()
stats = build_embedded(p, a.out + '/model', seed=a.seed, log=lambda m: print(m, flush=True), threads=a.threads)
stats['build_s'] = round(time.time() - t0, 1)
from transformers import AutoModelForCausalLM
from rods_lab.engine import make_engine
from rods_lab.rollout import evaluate
pol = load_policy(a.out + '/model')
eng = make_engine('hf', pol.model, pol.tokenizer)
rows = []
for w, lv in json.loads(a.levels).items():
    W = get_world(w)
    for l in lv:
        diff = {W.depth_axis: l, **({'turns': 1} if w == 'apiworld' else {})}
        for T in json.loads(a.temps):
            tasks = split_tasks(W, a.split, a.n, **diff) if a.split else W.sample(a.n, seed=a.task_seed, **diff)
            r = evaluate(eng, pol.fmt, W, tasks, temperature=T)
            rows.append(dict(world=w, level=l, T=T, success=round(r['success'], 3), progress=round(r['progress'], 3)))
            print(rows[-1], flush=True)
json.dump(dict(args=vars(a), stats=stats, rows=rows), open(a.out + '/result.json', 'w'), indent=1)
print('RESULT', json.dumps(dict(stats=stats, rows=rows)))
# copy ability of the final model: teacher-forced accuracy on the repeated span of fresh drills
import torch
V, first, sep = len(pol.tokenizer), len(SPECIAL_TOKENS), pol.fmt.eos_token_id
dr = P.copy_drills(256, V, first, sep, seed=99)
acc = []
with torch.no_grad():
    for d in dr:
        ids = torch.tensor([d['input_ids']]); lab = torch.tensor(d['labels'])
        pred = pol.model(ids).logits[0, :-1].argmax(-1); m = lab[1:] != -100
        acc.append((pred[m] == lab[1:][m]).float().mean().item())
print('COPYACC', sum(acc)/len(acc))
r = json.load(open(a.out + '/result.json')); r['copy_acc'] = sum(acc)/len(acc); json.dump(r, open(a.out + '/result.json', 'w'), indent=1)
