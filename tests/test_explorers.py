"The explorer notebooks (trees, run comparison) run end to end through papermill; bad parameters stop them before any work; the explorers open the published reference runs."
import json
from pathlib import Path
import pytest
import papermill as pm
from papermill_run import execute

ROOT = Path(__file__).resolve().parent.parent
EXP = ROOT/'experiments'


@pytest.mark.parametrize('name', ['explore_trees', 'compare_runs'])
def test_parameters_cell_is_tagged(name):
    import nbformat
    nb = nbformat.read(EXP/f"{name}.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == 'code')
    assert 'parameters' in first.metadata.get('tags', [])
    names = [l.split('=')[0].strip() for l in first.source.splitlines() if '=' in l and not l.startswith('#')]
    assert list(pm.inspect_notebook(str(EXP/f"{name}.ipynb"))) == names and {'seed', 'smoke', 'out_dir'} <= set(names)

@pytest.mark.parametrize('method,key', [('trace', 'p_hat'), ('arpo', 'dH')])
def test_explore_trees_smoke(tmp_path, method, key):
    out = tmp_path/'trees'
    execute('explore_trees', tmp_path, smoke=True, run_dir='', method=method, out_dir=str(out))
    loaded = json.loads((out/'results.json').read_text())['loaded']
    assert loaded['steps'] == [1, 2] and loaded['trees'] == 3 and loaded['leaves'] == 3 and loaded['decisions'] >= 1
    assert loaded['paths'][0] == '()' and Path(loaded['run_dir']).parent == out

def test_compare_runs_smoke(tmp_path):
    out = tmp_path/'cmp'
    execute('compare_runs', tmp_path, smoke=True, roots=[], out_dir=str(out), cost='tool_calls')
    loaded = json.loads((out/'results.json').read_text())['loaded']
    assert len(loaded['runs']) == 4 and len(loaded['arms']) == 2 and all(len(v) == 2 for v in loaded['arms'].values())
    assert 'data' in loaded['differ'] and loaded['cost'] == 'tool_calls' and (out/'comparison.html').exists()

@pytest.mark.parametrize('name,params,msg', [
    ('explore_trees', dict(run_dir='NOT-A-RUN'), 'is not a run directory: no config.json'),
    ('explore_trees', dict(run_dir=''), 'run_dir is empty'),
    ('explore_trees', dict(method='grpo', run_dir=''), "parameter 'method' must be 'trace' or 'arpo'"),
    ('compare_runs', dict(roots=['NOT-A-RUN/nowhere']), 'does not exist'),
    ('compare_runs', dict(cost='dollars'), "parameter 'cost' must be one of"),
    ('compare_runs', dict(roots=[]), 'roots is empty'),
])
def test_bad_parameters_stop_before_work(tmp_path, name, params, msg):
    (tmp_path/'NOT-A-RUN').mkdir()
    fix = lambda v: str(tmp_path/v) if isinstance(v, str) and v.startswith('NOT-A-RUN') else v
    params = {k: ([fix(x) for x in v] if isinstance(v, list) else fix(v)) for k, v in params.items()}
    with pytest.raises(pm.PapermillExecutionError) as e:
        execute(name, tmp_path, smoke=False, out_dir=str(tmp_path/'bad'), **params)
    assert msg in str(e.value)
    assert not (tmp_path/'bad').exists()

def test_explorers_open_the_published_reference_runs():
    "The tree explorer opens the TRACE and ARPO reference runs with their decisions; the run comparer finds every published run."
    from rods_lab.tree_explorer import TreeExplorer, node_note
    from rods_lab.run_comparer import RunComparer, find_runs
    for run, key in ((ROOT/'figures'/'trace'/'runs'/'trace-s0', 'p_hat'), (ROOT/'figures'/'arpo'/'runs'/'arpo-s0', 'dH')):
        kept = json.loads((run/'published.json').read_text())
        tx = TreeExplorer(run)
        assert tx.steps == kept['rollout_steps'] and len(tx.steps) == 3 and tx.groups
        notes = []
        for s in tx.steps:
            tx.step.value = s
            for k in list(tx.groups)[:8]:
                tx.task.value = k; notes += [n for n in tx.nodes.values() if key in n.info]
        assert notes and all(node_note(n) for n in notes), run                  # every recorded decision is drawn
    runs = find_runs(ROOT/'figures')
    rc = RunComparer([ROOT/'figures'], chosen=runs)
    assert len(rc.arms) == len(runs) and rc.metric.value == 'eval_success'      # different methods: one arm each
    rc.cost.value = 'tokens_generated'
    assert all(len(t.x) > 1 for t in rc.figure.data if t.mode == 'lines+markers')
