"The TRACE and ARPO experiment notebooks run end to end through papermill at their smoke sizes; bad parameters stop them before any work."
import ast, json, shutil
from pathlib import Path
import pytest
import papermill as pm
from papermill_run import execute

ROOT = Path(__file__).resolve().parent.parent
EXP = ROOT/'experiments'
HAS_CHROMIUM = shutil.which('chromium') is not None


def check_figures(folder, names):
    for n in names:
        assert (folder/f"{n}.html").exists(), n
        if HAS_CHROMIUM: assert (folder/f"{n}.png").stat().st_size > 1000, n

@pytest.mark.parametrize('name', ['trace', 'arpo'])
def test_parameters_cell_is_tagged_and_literal(name):
    "papermill injects its values after the cell tagged `parameters`: it must be the first code cell and hold only literals."
    code = [c for c in json.loads((EXP/f"{name}.ipynb").read_text())['cells'] if c['cell_type'] == 'code']
    assert 'parameters' in code[0]['metadata'].get('tags', []), f"{name}: first code cell is not tagged 'parameters'"
    body = ast.parse(''.join(code[0]['source'])).body
    for node in body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), ast.unparse(node)
        ast.literal_eval(node.value)                                   # raises for anything but a literal
    assert {'seed', 'smoke', 'out_dir'} <= {n.targets[0].id for n in body}
    assert not any(c['outputs'] or c['execution_count'] for c in code)  # committed clean

def test_trace_smoke(tmp_path):
    out, pub = tmp_path/'trace', tmp_path/'published'
    execute('trace', tmp_path, smoke=True, n_seeds=1, workers=2, out_dir=str(out), publish_dir=str(pub),
            methods=['grpo', 'random_tree', 'trace', 'trace_beta', 'rods', 'trace_rods'])
    res = json.loads((out/'results.json').read_text())
    assert res['parameters']['smoke'] is True and res['seeds'] == [0]
    assert {'summary', 'per_seed', 'predictor', 'calibration', 'prefix_reuse', 'targets', 'ablation', 'boundary', 'wall_s', 'figures'} <= set(res)
    assert set(res['summary']) == {'grpo', 'random_tree', 'trace', 'trace_beta', 'rods', 'trace_rods'}
    assert (out/'trace_rods-s0'/'buffer'/'events.jsonl').exists() and json.loads((out/'trace_rods-s0'/'config.json').read_text())['config']['rollout'] == 'trace'
    tokens, budget = res['budget_tokens'], res['budget_trajectories']
    assert budget == 2 * 8 and tokens == round(budget * res['boundary']['tokens_per_trajectory'])
    for m, s in res['summary'].items():
        assert {'test_tokens', 'test_trajectories', 'trajectories_at_tokens', 'tokens_at_trajectories', 'frac_zero_var_groups'} <= set(s), m
        assert s['tokens_at_trajectories']['mean'] > 0 and s['trajectories_at_tokens']['mean'] >= 8
        run = out/f"{m}-s0"
        assert (run/'marks'/f"traj_{budget:08d}"/'test_4.json').exists() and (run/'marks'/f"tok_{tokens:010d}"/'test_4.json').exists()
    assert [t['name'] for t in res['targets']] == ['success_tokens', 'success_trajectories', 'fewer_zero_variance_groups', 'predictor_auc', 'predictor_brier',
                                                   'composition_vs_trace', 'composition_vs_rods']
    assert all(t['verdict'] == 'uninformative' and t['n_seeds'] == 1 for t in res['targets'])      # one seed decides nothing
    assert res['ablation']['name'] == 'beta_over_phat' and set(res['predictor']) == {'trace', 'trace_beta', 'trace_rods'}
    from rods_lab.cli_studies import summary_table
    lines = summary_table(res).splitlines()                                       # what `rods-lab report` prints and the README holds
    assert lines[0].startswith(f"test success at {tokens} sampled tokens and at {budget} trajectories per run") and 'success_tokens' in summary_table(res)
    assert all(0 <= b['p_hat'] <= 1 and 0 <= b['success'] <= 1 and b['leaves'] > 0 for b in res['calibration']['trace'])
    assert res['measurements']['prefix_reuse_saving'] == res['prefix_reuse']['saving']
    assert 0 < res['prefix_reuse']['saving'] < 1 and {'trace_auc', 'trace_brier', 'trace_brier_const'} <= set(res['predictor']['trace'])
    check_figures(out/'figures', ['heldout_vs_cost', 'zero_variance_groups', 'predictor_quality', 'trace_tree_0'])
    assert json.loads((pub/'params.json').read_text())['smoke'] is True
    assert (pub/'results.json').exists() and (pub/'heldout_vs_cost.png').exists() == HAS_CHROMIUM
    html = (pub/'heldout_vs_cost.html').read_text()
    assert 'src="https://cdn.plot.ly/plotly-' in html and 'src="plotly.min.js"' not in html   # small: plotly.js from its CDN
    assert not (pub/'plotly.min.js').exists() and (out/'figures'/'plotly.min.js').exists()       # the run's own copy stays offline
    assert not [p for p in pub.iterdir() if p.is_dir() or p.suffix not in ('.html', '.png', '.json', '.js')]   # figures only, no runs

def test_arpo_smoke(tmp_path):
    out = tmp_path/'arpo'
    execute('arpo', tmp_path, smoke=True, n_seeds=1, workers=1, out_dir=str(out), sweep={'tau-1': {'tau': 1.0}})
    res = json.loads((out/'results.json').read_text())
    assert res['parameters']['smoke'] is True and res['worlds'] == ['mathtool', 'multihop'] and res['budget_trajectories'] == 2 * 8
    assert {'summary', 'per_seed', 'branching', 'targets', 'entropy_by_position', 'boundary', 'table', 'wall_s', 'figures'} <= set(res)
    check_figures(out/'figures', ['entropy_by_position'])
    for w in ('mathtool', 'multihop'):
        e = res['entropy_by_position'][w]
        assert e['k'] == 20 and len(e['first']) == 20 and e['n_first'] > 0 and 0 <= e['first_mean'] <= 1
        assert set(res['summary'][w]) == {'grpo', 'arpo_soft', 'arpo_hard', 'tau-1'}
        for m, s in res['summary'][w].items():
            assert {'test', 'tool_calls', 'calls_made_per_traj', 'calls_on_path_per_traj', 'calls_per_success', 'tokens_generated'} <= set(s), m
            assert s['trajectories']['mean'] == 2 * 8 and 0 <= s['test']['mean'] <= 1
            assert (out/w/f'{m}-s0'/'marks'/'traj_00000016'/'test_4.json').exists()
        soft = res['summary'][w]['arpo_soft']
        assert soft['branch_points']['mean'] >= soft['branches']['mean'] and {'sharing', 'paths'} <= set(soft)
        assert soft['calls_made_per_traj']['mean'] <= soft['calls_on_path_per_traj']['mean'] + 1e-9      # a shared call is made once
        names = [t['name'] for t in res['targets'] if t['name'].startswith(w)]
        assert names == [f"{w}/{m}/{k}" for m in ('arpo_soft', 'arpo_hard') for k in ('success', 'tool_calls_half', 'tool_calls')]
        assert all(t['verdict'] == 'uninformative' for t in res['targets'] if t['name'].startswith(w))   # one seed decides nothing
        check_figures(out/'figures', [f"heldout_vs_cost_{w}", f"tool_calls_{w}", f"tradeoff_{w}", f"branching_{w}", f"arpo_tree_{w}_0"])
    from rods_lab.cli_studies import summary_table
    assert summary_table(res).splitlines()[0].startswith('test success at 16 trajectories per run, with the tool calls made in training')

@pytest.mark.parametrize('params,msg', [
    (dict(trace_options={'min_root_chainz': 2}), "unknown option 'min_root_chainz' for rollout strategy 'trace' (did you mean 'min_root_chains'"),
    (dict(methods=['trace', 'grpo', 'rando_tree']), 'methods must be distinct names from grpo, random_tree, trace, trace_beta'),
    (dict(token_budget=0), 'token_budget must be None or >= 1, got 0'),
    (dict(test_n=600), 'test_n must be in [1, 512]'),
    (dict(n_seed=2), "unknown parameter 'n_seed' (did you mean 'n_seeds'"),
    (dict(steps='12'), "parameter 'steps' must be int, got '12'"),
    (dict(group_size=2, trace_options={'min_root_chains': 3}), 'budget (2 leaves per task) is smaller than min_root_chains (3)'),
])
def test_trace_bad_parameters_stop_before_work(tmp_path, params, msg):
    with pytest.raises(pm.PapermillExecutionError) as e:
        execute('trace', tmp_path, out_dir=str(tmp_path/'bad'), **params)
    assert msg in str(e.value)
    assert not (tmp_path/'bad').exists()

@pytest.mark.parametrize('params,msg', [
    (dict(arpo_options={'tau': 1.5}), 'tau must be in [0, 1]'),
    (dict(attributions=['soft', 'medium']), 'attributions must be distinct names from soft, hard'),
    (dict(worlds=['mathtool', 'multihops']), "unknown world 'multihops'"),
    (dict(sweep={'arpo_soft': {'tau': 0.2}}), "sweep must map new arm names to option dicts; bad: ['arpo_soft']"),
    (dict(sweep={'t': {'tauu': 0.2}}), "unknown option 'tauu'"),
])
def test_arpo_bad_parameters_stop_before_work(tmp_path, params, msg):
    with pytest.raises(pm.PapermillExecutionError) as e:
        execute('arpo', tmp_path, out_dir=str(tmp_path/'bad'), **params)
    assert msg in str(e.value)
    assert not (tmp_path/'bad').exists()
