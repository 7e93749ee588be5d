"Experiment notebooks run end to end through papermill at their smoke sizes; bad parameters stop them before any work."
import json, os
from pathlib import Path
import pytest
import papermill as pm
from papermill_run import execute

ROOT = Path(__file__).resolve().parent.parent
EXP = ROOT/'experiments'


def test_grpo_smoke(tmp_path):
    execute('grpo', tmp_path, smoke=True, n_seeds=1, out_dir=str(tmp_path/'grpo'))
    res = json.loads((tmp_path/'grpo'/'results.json').read_text())
    assert res['parameters']['smoke'] is True and len(res['per_seed']) == 1
    assert {'before', 'after', 'gain', 'validation_after'} <= set(res['summary']) and res['test_n'] == 4
    assert [t['name'] for t in res['targets']] == ['gain'] and res['targets'][0]['verdict'] == 'uninformative'   # one seed decides nothing
    assert len(json.loads((tmp_path/'grpo'/'grpo-s0'/'marks'/'traj_00000008'/'test_4.json').read_text())['success']) == 4
    assert (tmp_path/'grpo'/'figures'/'grpo_learning_curve.html').exists()
    assert (tmp_path/'grpo'/'grpo-s0'/'metrics.jsonl').exists()

@pytest.mark.parametrize('params,msg', [
    (dict(stepz=3), "unknown parameter 'stepz' (did you mean 'steps'"),
    (dict(steps='3'), "parameter 'steps' must be int"),
    (dict(batch_size=6, group_size=4), 'batch_size (6) must be divisible by group_size (4)'),
    (dict(test_n=513), 'test_n must be in [1, 512]'),
])
def test_grpo_bad_parameters_stop_before_work(tmp_path, params, msg):
    with pytest.raises(pm.PapermillExecutionError) as e:
        execute('grpo', tmp_path, smoke=False, out_dir=str(tmp_path/'bad'), **params)
    assert msg in str(e.value)
    assert not (tmp_path/'bad').exists()

def test_compare_reads_every_reference_study(tmp_path):
    "experiments/compare.ipynb on the committed figures/: every protocol study becomes points, every target is listed, old layouts are named."
    from papermill_run import execute
    execute('compare', tmp_path, out_dir=str(tmp_path/'cmp'), figures_dir=str(ROOT/'figures'))
    res = json.loads((tmp_path/'cmp'/'results.json').read_text())
    studies = {p.parent.name: json.loads(p.read_text()) for p in (ROOT/'figures').glob('*/results.json')}
    protocol = {s for s, r in studies.items() if isinstance(r.get('targets'), list)}
    assert {t['study'] for t in res['targets']} == protocol and len(res['targets']) == sum(len(studies[s]['targets']) for s in protocol)
    assert set(res['skipped']) == set(studies) - protocol
    assert sum(res['counts'].values()) == len(res['targets'])
    assert {p['study'] for p in res['points']} == protocol & {'rods', 'grpo', 'trace', 'arpo'}
    rods = {p['arm']: p for p in res['points'] if p['study'] == 'rods'}
    assert rods and all(abs(rods[a]['mean'] - studies['rods']['summary'][a]['test_success']['mean']) < 1e-12 for a in rods)
    assert any(f.endswith('.html') for f in res['figures'])
