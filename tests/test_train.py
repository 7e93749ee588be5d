"Trainer behaviour end to end on the micro model: exact resume after SIGKILL, data parallelism, bad input, outputs."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch

HERE = Path(__file__).parent
EXE = str(Path(sys.executable).parent/'rods-lab')
ENV = {**os.environ, 'PYTHONPATH': str(HERE) + os.pathsep + os.environ.get('PYTHONPATH', ''), 'OMP_NUM_THREADS': '1'}
TOY = ['--world', 'toyworld:PingWorld', '--model', 'embedded:micro', '--reward', 'progress', '--batch-size', '8', '--group-size', '4',
       '--pool-size', '16', '--eval-n', '4', '--max-total-tokens', '192', '--max-action-tokens', '32', '--lr', '0.001', '--max-turns', '6']

def train_cmd(out, steps, *extra): return [EXE, 'train', '--steps', str(steps), '--out', str(out), *TOY, *extra]

def metrics(run_dir):
    from rods_lab.rundir import read_metrics
    from rods_lab.trainer import deterministic_metrics
    return [deterministic_metrics(m) for m in read_metrics(run_dir)]

@pytest.fixture(scope='module')
def micro():
    "Build the micro model once (cached) before the timed subprocess runs."
    from rods_lab.build import prepare_embedded
    return prepare_embedded('micro')

def test_resume_after_sigkill_matches_uninterrupted_run(tmp_path, micro):
    full, killed = tmp_path/'full', tmp_path/'killed'
    r = subprocess.run(train_cmd(full, 6, '--ckpt-every', '2', '--eval-every', '3'), env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    p = subprocess.Popen(train_cmd(killed, 6, '--ckpt-every', '2', '--eval-every', '3'), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while time.time() - t0 < 600:                                  # kill once step 3 is logged (checkpoint of step 2 exists)
        ms = (killed/'metrics.jsonl').read_text().splitlines() if (killed/'metrics.jsonl').exists() else []
        if any(json.loads(l)['step'] >= 3 for l in ms if l.strip()): break
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL); p.wait()
    assert (killed/'ckpt'/'state').is_dir() or (killed/'ckpt.old'/'state').is_dir()
    assert not any(json.loads(l)['step'] == 6 for l in (killed/'metrics.jsonl').read_text().splitlines() if l.strip())
    r = subprocess.run(train_cmd(killed, 6, '--ckpt-every', '2', '--eval-every', '3', '--resume', 'true'), env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    a, b = metrics(full), metrics(killed)
    assert [m['step'] for m in b] == list(range(7))
    assert a == b                                                    # every metric from every step, identical
    from safetensors.torch import load_file                          # the updates moved the weights away from the initial model
    start, end = load_file(str(micro/'model.safetensors')), load_file(str(full/'ckpt'/'model'/'model.safetensors'))
    moved = {k for k in start if not torch.equal(start[k], end[k])}
    assert len(moved) > len(start) // 2, f"only {len(moved)} of {len(start)} tensors changed in 6 steps"

def test_two_processes_match_one(tmp_path, micro):
    """accelerate launch with 2 CPU processes (gloo) gives the same losses, learning rates and parameters as 1 process at the same
    global batch; the warm-up schedule steps once per optimiser step, not once per process."""
    one, two = tmp_path/'one', tmp_path/'two'
    args = ['--steps', '3', '--eval-n', '0', '--ckpt-every', '0', '--warmup-steps', '4', *TOY[:-2]]
    r1 = subprocess.run([EXE, 'train', '--out', str(one), *args], env=ENV, capture_output=True, text=True, timeout=600)
    assert r1.returncode == 0, r1.stderr[-2000:]
    acc = str(Path(sys.executable).parent/'accelerate')
    # `--cpu` would take accelerate's single-process launcher; `--multi_gpu` starts 2 processes through torchrun, which use gloo on CPU
    r2 = subprocess.run([acc, 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
                         '--dynamo_backend', 'no', EXE, 'train', '--out', str(two), *args], env=ENV, capture_output=True, text=True, timeout=600)
    assert r2.returncode == 0, r2.stderr[-3000:]
    m1, m2 = metrics(one), metrics(two)
    for a, b in zip(m1[1:], m2[1:]):
        for k in ('reward_mean', 'progress_mean', 'trajectories', 'tokens_generated', 'frac_zero_var_groups'): assert a[k] == b[k], k
        assert abs(a['loss'] - b['loss']) < 1e-5 and abs(a['grad_norm'] - b['grad_norm']) < 1e-4
    assert [m['lr'] for m in m2[1:]] == [m['lr'] for m in m1[1:]] == [1e-3 * k / 4 for k in (2, 3, 4)], [m['lr'] for m in m2]
    from safetensors.torch import load_file
    p1, p2 = load_file(str(one/'ckpt'/'model'/'model.safetensors')), load_file(str(two/'ckpt'/'model'/'model.safetensors'))
    assert max((p1[k] - p2[k]).abs().max().item() for k in p1) < 1e-5

@pytest.mark.parametrize('extra,msg', [
    (['--model', '/no/such/model_dir'], '/no/such/model_dir'),
    (['--world', 'apiwrld'], "unknown world 'apiwrld'"),
    (['--batch-size', '6', '--group-size', '4'], 'batch_size (6) must be divisible by group_size (4)'),
    (['--device', 'cuda'], 'cuda'),
    (['--lrr', '0.1'], "unknown RunConfig field 'lrr'"),
    (['--steps', 'many'], '--steps'),
])
def test_bad_input_stops_before_work(tmp_path, extra, msg):
    if extra[:2] == ['--device', 'cuda'] and torch.cuda.is_available(): pytest.skip('has a GPU')
    out = tmp_path/'run'
    r = subprocess.run([EXE, 'train', '--out', str(out), *TOY, *extra], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and msg in r.stderr, r.stderr[-1500:]
    assert not (out/'metrics.jsonl').exists()

def test_tokenizer_without_chat_template_is_refused(tmp_path, micro):
    import shutil
    d = tmp_path/'model'; shutil.copytree(micro, d)
    (d/'chat_template.jinja').unlink()
    cfg = json.loads((d/'tokenizer_config.json').read_text()); cfg.pop('chat_template', None); (d/'tokenizer_config.json').write_text(json.dumps(cfg))
    r = subprocess.run([EXE, 'train', '--out', str(tmp_path/'run'), *TOY, '--model', str(d)], env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'chat template' in r.stderr, r.stderr[-1500:]

def test_existing_run_is_not_overwritten(tmp_path, micro):
    out = tmp_path/'run'
    assert subprocess.run(train_cmd(out, 1), env=ENV, capture_output=True, timeout=300).returncode == 0
    before = (out/'metrics.jsonl').read_text()
    r = subprocess.run(train_cmd(out, 1), env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and 'already holds a run' in r.stderr and (out/'metrics.jsonl').read_text() == before

def test_run_directory_contents_and_eval_cli(tmp_path, micro):
    out = tmp_path/'run'
    r = subprocess.run(train_cmd(out, 2, '--tracker', 'tensorboard', '--data', 'dynamic', '--marks', '[1, 100000]', '--eval-every', '0'),
                       env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    step1 = [json.loads(l) for l in (out/'metrics.jsonl').read_text().splitlines()][1]
    assert step1['marks'] == [1] and 'eval_success' in step1                   # a budget mark evaluates at the step that reaches it
    assert json.loads((out/'marks'/'traj_00000001'/'mark.json').read_text())['step'] == 1
    assert (out/'marks'/'traj_00000001'/'model'/'model.safetensors').exists() and not (out/'marks'/'traj_00100000').exists()
    cfg = json.loads((out/'config.json').read_text())
    assert cfg['config']['data'] == 'dynamic' and cfg['lab_version'] and 'git_commit' in cfg
    ms = [json.loads(l) for l in (out/'metrics.jsonl').read_text().splitlines()]
    names = {'step', 'trajectories', 'tokens_generated', 'tool_calls', 'reward_mean', 'success_mean', 'progress_mean', 'progress_var_mean',
             'frac_zero_var_groups', 'informative_frac', 'grad_norm', 'loss', 'kl', 'clip_frac', 'entropy_mean', 'time_rollout_s', 'time_update_s'}
    assert names <= set(ms[-1]) and 'eval_success' in ms[0] and 'eval_success' in ms[-1]
    assert sorted(p.name for p in (out/'rollouts').iterdir())[:1] == ['step_000001.r0.jsonl.gz']
    assert (out/'figures'/'learning_curve.html').exists() and any((out/'tb').iterdir())
    assert (out/'ckpt'/'model'/'model.safetensors').exists()
    r = subprocess.run([EXE, 'eval', '--model', str(out/'ckpt'/'model'), '--world', 'mathtool', '--split', 'test', '--n', '3', '--steps', '1'],
                       env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-1500:]
    res = json.loads(r.stdout)
    assert res['n'] == 3 and res['split'] == 'test' and {'success', 'progress', 'reward', 'tool_calls'} <= set(res)
    bad = subprocess.run([EXE, 'eval', '--model', str(out/'ckpt'/'model'), '--world', 'mathtool', '--split', 'tset'],
                         env=ENV, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "split must be one of validation, test, got 'tset'" in bad.stderr, bad.stderr[-500:]

def test_engine_logprobs_equal_trainer_logprobs(micro):
    "Behaviour log-probs from the engine equal the trainer's recomputation on real multi-turn rollouts (fp32, 1e-4)."
    from rods_lab.policy import load_policy
    from rods_lab.engine import make_engine
    from rods_lab.rollout import rollout, RolloutConfig
    from rods_lab.train import collate, completion_logps
    from rods_lab.worlds import get_world
    pol = load_policy('embedded:micro', device='cpu')
    eng = make_engine('hf', pol.model, pol.tokenizer)
    w = get_world('mathtool')
    trajs = rollout(eng, pol.fmt, w, w.sample(3, seed=2), RolloutConfig(group_size=3, temperature=0.8, max_action_tokens=40, max_total_tokens=300))
    assert sum(len(t.turns) for t in trajs) > len(trajs)             # multi-turn: the prefix store was used
    b = collate(trajs, pol.fmt.pad_token_id)
    with torch.no_grad(): lp = completion_logps(pol.model, b, temperature=0.8)
    m = b['completion_mask'] > 0
    assert (lp[m] - b['old_logps'][m]).abs().max().item() < 1e-4

def test_signal_free_steps_leave_the_policy_unchanged(tmp_path, micro):
    "All groups without variance: zero gradient, so no optimiser step (AdamW's momentum and decay would still move it)."
    out = tmp_path/'flat'
    args = [{'toyworld:PingWorld': 'toyworld:FlatWorld', 'progress': 'reward', '0.001': '0.01'}.get(a, a) for a in TOY]
    r = subprocess.run([EXE, 'train', '--steps', '3', '--out', str(out), *args,
                        '--weight-decay', '0.1', '--eval-n', '0', '--ckpt-every', '3'], env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    ms = metrics(out)[1:]
    assert [m['frac_zero_var_groups'] for m in ms] == [1.0]*3 and all(m['grad_norm'] == 0 for m in ms)
    from safetensors.torch import load_file
    before, after = load_file(str(Path(micro)/'model.safetensors')), load_file(str(out/'ckpt'/'model'/'model.safetensors'))
    assert all(torch.equal(before[k], after[k]) for k in before)

@pytest.mark.parametrize('agg', ['token-mean', 'seq-mean-token-mean'])
def test_gradient_probe_uses_the_runs_loss(tmp_path, micro, agg):
    "With one task per step the probe's task gradient is the whole update's gradient, so the norms agree under every loss_agg."
    out = tmp_path/agg
    r = subprocess.run([EXE, 'train', '--out', str(out), '--steps', '3', *TOY, '--batch-size', '4', '--eval-n', '0', '--ckpt-every', '0',
                        '--loss-agg', agg, '--grad-probe-every', '1', '--grad-probe-tasks', '1', '--max-grad-norm', '0'],
                       env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    ms = {m['step']: m for m in metrics(out) if m['step'] > 0}
    probes = [json.loads(l) for l in (out/'grad_probe.jsonl').read_text().splitlines()]
    assert len(probes) == 3 and any(p['grad_norm'] > 0 for p in probes)
    for p in probes: assert abs(p['grad_norm'] - ms[p['step']]['grad_norm']) <= 1e-3 * max(p['grad_norm'], 1e-6), (p, ms[p['step']])
