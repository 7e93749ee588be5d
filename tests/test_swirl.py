"""SWiRL through the command line: the `swirl*` methods train from a step dataset, and each bad input (a grader that cannot be
loaded, an empty filtered set, a dataset of another world or tokenizer) stops with a message that names it and writes nothing.

The command line runs in-process; `rods_lab.swirl_train` is imported first so its registry entries exist even where the
installed package does not declare it as a plugin yet."""
import json, shutil
from pathlib import Path
import pytest
from cli_inproc import cli as run_cli

BASE = ['--world', 'mathtool', '--difficulty', '{"steps": 2}', '--model', 'embedded:micro', '--device', 'cpu', '--batch-size', '4',
        '--group-size', '2', '--pool-size', '2', '--eval-n', '0', '--max-action-tokens', '12', '--max-total-tokens', '96', '--steps', '1']

def cli(argv): return run_cli(argv, plugins=('rods_lab.swirl_train',))   # registers the swirl methods and strategies

def files(root:Path)->set:
    return {str(p.relative_to(root)) for p in Path(root).rglob('*')}

@pytest.fixture(scope='module')
def datasets(tmp_path_factory):
    "Two step datasets on mathtool: 'good' (oracle trajectories: every filter keeps them) and 'failed' (every step an error)."
    from rods_lab.policy import load_policy
    from rods_lab.worlds import get_world
    from rods_lab.swirl import make_judge, scripted_trajectory
    from rods_lab.swirl_data import save_steps
    root = tmp_path_factory.mktemp('swirl')
    pol, w = load_policy('embedded:micro', device='cpu', log=None), get_world('mathtool')
    tasks = w.sample(3, seed=123, steps=2)
    save_steps([scripted_trajectory(w, t, pol.fmt, w.oracle(t)) for t in tasks], tasks, w, root/'good', make_judge('progress'), pol.tokenizer)
    save_steps([scripted_trajectory(w, t, pol.fmt, ['no action here', 'still none']) for t in tasks], tasks, w, root/'failed',
               make_judge('progress'), pol.tokenizer)
    shutil.copytree(root/'good', root/'other_tok')
    m = json.loads((root/'other_tok'/'manifest.json').read_text())
    (root/'other_tok'/'manifest.json').write_text(json.dumps({**m, 'tokenizer': '0' * 16}))
    return root

def refused(argv, msg, where:Path):
    before = files(where)
    rc, _, err = cli(argv)
    assert rc != 0 and msg in err and 'Traceback' not in err, (rc, err[-1500:])
    assert files(where) == before

def test_methods_listed():
    rc, out, _ = cli(['methods'])
    assert rc == 0
    for name in ('swirl', 'swirl_none', 'swirl_outcome', 'swirl_process_outcome', 'swirl_sft'): assert f"\n{name} " in out
    assert 'arXiv:2504.04736' in out

def test_train_swirl_and_sft(datasets, tmp_path):
    from rods_lab.rundir import read_metrics
    for method, extra in (('swirl', []), ('swirl_sft', ['--group-size', '1', '--pool-size', '4'])):
        run = tmp_path/method
        rc, _, err = cli(['train', '--method', method, '--options', json.dumps({'dataset': str(datasets/'good')}), '--out', run, *BASE, *extra])
        assert rc == 0, err[-1500:]
        m = read_metrics(run)[-1]
        assert m['step'] == 1 and m['swirl_states'] == 9 and m['loss'] == m['loss']

def test_bad_inputs(datasets, tmp_path):
    opts = lambda **o: json.dumps({'dataset': str(datasets/'good'), **o})
    train = lambda o, *more: ['train', '--method', 'swirl', '--options', o, '--out', tmp_path/'run', *BASE, *more]
    refused(train(opts(judge='model', judge_kwargs={'model': str(tmp_path/'no_such_model')})), 'cannot be loaded', tmp_path)
    refused(train(json.dumps({'dataset': str(datasets/'failed')})), "filter 'process' (threshold 0.5) keeps no step", tmp_path)
    refused(train(opts(), '--world', 'multihop', '--difficulty', '{}'), "synthesised in world 'mathtool', not 'multihop'", tmp_path)
    refused(train(json.dumps({'dataset': str(datasets/'other_tok')})), 'another tokenizer', tmp_path)
    refused(train(json.dumps({'dataset': str(tmp_path)})), 'not a step dataset', tmp_path)

def test_garbage_judge_is_a_counted_zero(datasets, tmp_path):
    from rods_lab.swirl import Judge, register_judge
    from rods_lab.rundir import read_metrics
    @register_judge('garbage_for_tests')
    class Garbage(Judge):
        def verdicts(self, steps): return [('no idea', 'no idea')] * len(steps)
    rc, _, err = cli(['train', '--method', 'swirl', '--options', json.dumps({'dataset': str(datasets/'good'), 'judge': 'garbage_for_tests'}),
                      '--out', tmp_path/'run', *BASE])
    assert rc == 0, err[-1500:]
    m = read_metrics(tmp_path/'run')[-1]
    assert m['swirl_judge_unparsed'] == m['swirl_actions'] == 4 and m['swirl_step_reward_mean'] == 0.0

def test_swirl_study_smoke(tmp_path):
    "experiments/swirl.ipynb at smoke sizes: every arm on both worlds, every model tested on every world, each finding decided (uninformative on the micro policy)."
    from papermill_run import execute
    out = tmp_path/'swirl'
    execute('swirl', tmp_path, smoke=True, n_seeds=1, workers=2, out_dir=str(out))
    res = json.loads((out/'results.json').read_text())
    arms = ['sft', 'sft_process', 'swirl', 'swirl_none', 'swirl_outcome', 'swirl_process_outcome', 'grpo']
    assert list(res['arms']) == arms and res['worlds'] == ['mathtool', 'multihop']
    assert set(res['test']) == {f"{w}/{a}->{wt}" for w in res['worlds'] for a in arms for wt in res['worlds']}
    for w in res['worlds']:
        assert res['rounds'][f"{w}/swirl_none-s0"][0]['run']                          # the 'none' filter always keeps something: it trained
        assert abs(res['cost'][f"{w}/grpo-s0"]['total'] - res['token_budget'][w]) <= 4 * 64 * 4   # GRPO stopped at about the swirl arm's tokens
        assert set(res['acceptance_by_position'][w]) == {'none', 'process', 'outcome', 'process+outcome'}
        assert res['acceptance_by_position'][w]['none'][0] == 1.0
        assert res['judge_agreement'][w]['n'] == 4
    for k, why in res['skipped_rounds'].items(): assert 'kept no step' in why, k
    names = [t['name'] for t in res['targets']]
    assert 'mathtool/swirl_beats_sft' in names and 'transfer/multihop->mathtool' in names
    assert all(t['verdict'] in ('met', 'not met', 'uninformative') for t in res['targets'])
    for f in ('success_vs_tokens', 'transfer', 'acceptance_by_position', 'judge_agreement'): assert (out/'figures'/f"{f}.html").exists(), f
