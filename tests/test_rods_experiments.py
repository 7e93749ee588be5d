"The RODS study, the Popoviciu notebook and the explorer notebook run end to end through papermill at their smoke sizes; bad parameters stop them before any work."
import json
from pathlib import Path
import pytest
import papermill as pm
from papermill_run import execute

ROOT = Path(__file__).resolve().parent.parent
EXP = ROOT/'experiments'
STRATEGIES = ['fixed', 'rods', 'augment', 'offline', 'dynamic']


@pytest.mark.parametrize('name', ['rods', 'popoviciu', 'explore'])
def test_parameters_cell_is_tagged_and_parsed(name):
    "papermill injects after the cell tagged `parameters`; without the tag the defaults would silently win."
    import nbformat
    nb = nbformat.read(EXP/f"{name}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == 'code')
    assert 'parameters' in first.metadata.get('tags', []), f"{name}.ipynb: the first code cell lost its 'parameters' tag"
    names = [l.split('=')[0].strip() for l in first.source.splitlines() if '=' in l and not l.startswith('#')]
    assert list(pm.inspect_notebook(str(EXP/f"{name}.ipynb"))) == names        # every line parses (no '=' in a comment)
    assert {'seed', 'smoke', 'out_dir'} <= set(names)

def files_exist(paths):
    return all(Path(p).exists() for p in paths)

def test_rods_smoke(tmp_path):
    out = tmp_path/'rods'
    execute('rods', tmp_path, smoke=True, out_dir=str(out), ablations={'rods-depth': {'depth_step_prob': 0.5}})
    res = json.loads((out/'results.json').read_text())
    assert res['parameters']['smoke'] is True and res['seeds'] == [0]
    budget, arms = res['budget_trajectories'], [*STRATEGIES, 'rods-depth']
    assert res['marks'] == [budget // 2, budget] and res['arms']['rods-depth'] == 'rods'
    assert set(res['summary']) == set(arms) and [r['arm'] for r in res['table']] == arms
    for a, r in res['summary'].items():
        assert {'test_success', 'test_before', 'validation_success', 'distinct_tasks', 'tasks_made', 'trajectories', 'tokens', 'informative'} <= set(r)
        assert r['test_success']['n'] == 1 and 0 <= r['test_success']['mean'] <= 1
        if a == 'dynamic': assert r['trajectories']['mean'] >= budget        # read at the step that reached the budget
        else: assert r['trajectories']['mean'] == budget                       # equal cost: steps x batch_size
    assert res['summary']['offline']['tasks_made']['mean'] > res['summary']['fixed']['tasks_made']['mean']
    assert [t['name'] for t in res['targets']] == ['a1', 'a2', 'b0', 'b', 'c0', 'c', 'd']
    for t in res['targets']:
        assert t['verdict'] in ('met', 'not met', 'uninformative') and {'claim', 'ci95', 'n_seeds', 'n_test', 'see', 'why'} <= set(t)
        assert t['verdict'] == 'uninformative'                                  # one seed decides nothing
    tested = json.loads((out/'rods-s0'/'marks'/f"traj_{budget // 2:08d}"/'test_4.json').read_text())
    assert len(tested['success']) == 4 and tested['key']['split'] == 'test'
    names = {Path(f).name for f in res['figures']}
    for fig in ('learning_curves', 'depletion', 'popoviciu_rods', 'popoviciu_fixed', 'grad_share', 'grad_vs_variance', 'buffer_composition'):
        assert f"{fig}.html" in names
    assert files_exist(res['figures'])
    assert (out/'rods-s0'/'buffer'/'events.jsonl').exists() and (out/'fixed-s0'/'grad_probe.jsonl').exists()
    with pytest.raises(pm.PapermillExecutionError) as e:                      # finished runs made with other settings are never reused
        execute('rods', tmp_path, smoke=True, out_dir=str(out), lr=1e-3)
    assert 'holds runs made with other settings' in str(e.value) and 'fixed-s0: lr' in str(e.value)

def test_rods_stops_outside_the_boundary(tmp_path):
    "A policy that gives no group any progress variance stops the study before any training."
    with pytest.raises(pm.PapermillExecutionError) as e:
        execute('rods', tmp_path, smoke=True, out_dir=str(tmp_path/'out'), min_informative=1.01)
    assert 'outside its capability boundary' in str(e.value)
    assert not list((tmp_path/'out').glob('*-s0'))

def test_popoviciu_smoke_trains_its_own_run(tmp_path):
    out = tmp_path/'pop'
    execute('popoviciu', tmp_path, smoke=True, run_dir='', out_dir=str(out))
    res = json.loads((out/'results.json').read_text())
    assert Path(res['run_dir']).parent == out and res['signal'] == 'progress' and res['groups'] > 0
    assert res['identities']['dr_grpo: sum A^2 = G Var (signal)']['max_abs_error'] <= 1e-6
    assert res['measured_grad'] is not None and files_exist(res['figures'])
    assert {'popoviciu_progress.html', 'band_mass.html', 'grad_share.html'} <= {Path(f).name for f in res['figures']}

def test_popoviciu_on_a_demo_run(tmp_path):
    from rods_lab.scripted import demo_run
    run = demo_run(tmp_path/'demo-rods', data='rods', steps=4)
    execute('popoviciu', tmp_path, run_dir=str(run), out_dir=str(tmp_path/'pop'))
    res = json.loads((tmp_path/'pop'/'results.json').read_text())
    ids = res['identities']
    assert ids['grpo: sum |A| = 2 sqrt(G(G-1) p(1-p)) (success)']['groups'] > 0        # the scripted run has mixed groups
    assert all(v['max_abs_error'] <= 1e-4 for v in ids.values())
    assert res['measured_grad'] is None                                                # a demo run has no gradient probe

def test_explore_smoke(tmp_path):
    out = tmp_path/'explore'
    execute('explore', tmp_path, smoke=True, run_dir='', out_dir=str(out))
    res = json.loads((out/'results.json').read_text())
    loaded = res['loaded']
    assert loaded['mode'] == 'buffer' and loaded['steps'] == [1, 2, 3, 4] and loaded['tasks'] > 0
    assert sum(loaded['bands'].values()) == loaded['tasks'] and set(loaded['origins']) <= {'seed', 'synth'}
    assert Path(loaded['run_dir']).parent == out
    assert loaded['map_points'] + loaded['map_unvisited'] == loaded['tasks'] and loaded['map_points'] > 0   # the boundary map draws every visited entry
    assert len(loaded['redraw_s']) == 1 and loaded['redraw_s'][0] > 0

@pytest.mark.parametrize('name,params,msg', [
    ('rods', dict(stepz=3), "unknown parameter 'stepz' (did you mean 'steps'"),
    ('rods', dict(strategies=['fixed', 'rodz']), "unknown strategies ['rodz']"),
    ('rods', dict(strategies=['fixed', 'offline']), "strategies must include 'fixed' and 'rods'"),
    ('rods', dict(batch_size=6, group_size=4), 'batch_size (6) must be divisible by group_size (4)'),
    ('rods', dict(rods_options={'kapa': 0.5}), "unknown option 'kapa' for data strategy 'rods'"),
    ('rods', dict(ablations={'fixed': {}}), "ablations must map new arm names to option dicts; bad: ['fixed']"),
    ('rods', dict(test_n=600), 'test_n must be in [1, 512]'),
    ('popoviciu', dict(run_dir='NOT-A-RUN'), 'is not a run directory: no config.json'),
    ('popoviciu', dict(run_dir=''), 'run_dir is empty'),
    ('popoviciu', dict(run_dirr='x'), "unknown parameter 'run_dirr' (did you mean 'run_dir'"),
    ('explore', dict(run_dir='NOT-A-RUN'), 'is not a run directory: no config.json'),
    ('explore', dict(run_dir='NOT-A-RUN/nowhere'), 'does not exist'),
])
def test_bad_parameters_stop_before_work(tmp_path, name, params, msg):
    (tmp_path/'NOT-A-RUN').mkdir()
    params = {k: str(tmp_path/v) if k == 'run_dir' and v else v for k, v in params.items()}
    with pytest.raises(pm.PapermillExecutionError) as e:
        execute(name, tmp_path, smoke=False, out_dir=str(tmp_path/'bad'), **params)
    assert msg in str(e.value)
    assert not (tmp_path/'bad').exists()
