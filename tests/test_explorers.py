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

def test_explorers_open_real_runs(micro_tree_runs, tmp_path):
    "On real (micro-model) runs: the tree explorer draws TRACE's decisions and shows a prefix; the comparer puts TRACE and GRPO in two arms; a published extract opens the same."
    from rods_lab.tree_explorer import TreeExplorer, node_note
    from rods_lab.run_comparer import RunComparer, publish_run
    tx = TreeExplorer(micro_tree_runs['trace'])
    assert tx.steps == [1, 2] and tx.groups
    anchors = [n for n in tx.nodes.values() if 'p_hat' in n.info]
    assert anchors and all(node_note(n).startswith('p̂') for n in anchors)
    deep = max(tx.nodes, key=len); tx.show_node(deep)
    assert tx.prefix.value.count('<tr') >= len(deep) + 1 and f"node {deep}" in tx.prefix.value.replace('&#x27;', "'")
    pub = publish_run(micro_tree_runs['trace'], tmp_path/'pub'/'trace-s0')
    assert TreeExplorer(pub).steps == json.loads((pub/'published.json').read_text())['rollout_steps']
    rc = RunComparer(list(micro_tree_runs.values()))
    assert len(rc.arms) == 2 and rc.metric.value == 'eval_success'
    rc.cost.value = 'tokens_generated'
    assert all(len(t.x) >= 2 for t in rc.figure.data if t.mode == 'lines+markers')
