"The `rods-lab` command as a user runs it: subprocesses, exit codes, messages."
import json, os, subprocess, sys
from pathlib import Path
import pytest

EXE = str(Path(sys.executable).parent/'rods-lab')

def run(*args, input=None, timeout=300):
    return subprocess.run([EXE, *args], input=input, capture_output=True, text=True, timeout=timeout)

def test_tasks_prints_jsonl_and_is_deterministic():
    a, b = run('tasks', 'apiworld', '--n', '3', '--seed', '7', '--depth', '3'), run('tasks', 'apiworld', '--n', '3', '--seed', '7', '--depth', '3')
    assert a.returncode == 0 and a.stdout == b.stdout
    recs = [json.loads(l) for l in a.stdout.splitlines()]
    assert len(recs) == 3 and all(r['structure']['depth'] == 3 and r['world'] == 'apiworld' for r in recs)

@pytest.mark.parametrize('args,msg', [
    (['tasks', 'nowhere'], "unknown world 'nowhere'"),
    (['tasks', 'mathtool', '--hops', '2'], "unknown difficulty keyword 'hops'"),
    (['tasks', 'multihop', '--hops', '9'], 'hops must be an integer in [1, 4]'),
    (['tasks', 'apiworld', '--n', 'many'], "argument --n: must be an integer >= 0, got 'many'"),
    (['frobnicate'], 'invalid choice'),
    ([], 'required'),
])
def test_bad_arguments_exit_2(args, msg):
    r = run(*args)
    assert r.returncode == 2 and msg in r.stderr and 'usage:' in r.stderr

def test_verify_good_and_bad_files(tmp_path):
    good = run('tasks', 'mathtool', '--n', '4', '--seed', '1').stdout
    (tmp_path/'good.jsonl').write_text(good)
    r = run('verify', str(tmp_path/'good.jsonl'))
    assert r.returncode == 0 and '4 task(s) OK, 0 bad' in r.stderr
    lines = good.splitlines()
    t = json.loads(lines[1]); t['structure']['depth'] = 'deep'
    u = json.loads(lines[2]); u['payload'] = {}
    bad = [lines[0], json.dumps(t), json.dumps(u), '{"id": ', lines[3]]
    (tmp_path/'bad.jsonl').write_text('\n'.join(bad) + '\n')
    r = run('verify', str(tmp_path/'bad.jsonl'))
    assert r.returncode == 1
    out = r.stdout
    assert "bad.jsonl:2: field 'structure.depth': expected int" in out
    assert 'bad.jsonl:3:' in out and 'bad.jsonl:4: record: invalid JSON' in out
    assert 'bad.jsonl:1:' not in out and 'bad.jsonl:5:' not in out
    assert '2 task(s) OK, 3 bad' in r.stderr

def test_verify_missing_file_is_usage_error(tmp_path):
    r = run('verify', str(tmp_path/'nope.jsonl'))
    assert r.returncode == 2 and 'no such file' in r.stderr

def test_play_with_scripted_oracle():
    from rods_lab.worlds import get_world
    w = get_world('apiworld')
    t = w.sample(1, seed=5, depth=2)[0]
    script = 'ls {"nonsense": 1}\nnot an action\n:oracle\n' + '\n'.join(a.replace('\n', ' ') for a in w.oracle(t)) + '\n'
    # the CLI samples with the same seed and difficulty, so the scripted oracle is this task's
    r = run('play', 'apiworld', '--seed', '5', '--depth', '2', input=script)
    assert r.returncode == 0, r.stderr
    assert 'Error (' in r.stdout and 'success=True' in r.stdout

def test_worlds_and_worlds_table():
    r = run('worlds')
    assert r.returncode == 0 and '--depth 1..6' in r.stdout and '--hops 1..4' in r.stdout and '--steps 1..6' in r.stdout
    r = run('worlds-table', '--n', '30')
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    head, rows = lines[0].split(), [l.split() for l in lines[2:]]
    table = {row[0]: dict(zip(head, row)) for row in rows}
    assert set(table) == {'apiworld', 'multihop', 'mathtool'}
    for w, row in table.items():     # the oracle solves every task; a random agent solves none of 30
        assert (row['tasks'], row['oracle_success'], row['oracle_progress'], row['random_success']) == ('30', '1.00', '1.00', '0.00'), (w, row)

def test_demo_smoke_prints_the_summary(tmp_path):
    out = tmp_path/'demo'
    r = run('demo', '--smoke', '--out', str(out), timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    lines = r.stdout.splitlines()
    head = next(i for i, l in enumerate(lines) if l.startswith('test success at 16 trajectories per run (4 test tasks, greedy; mean ± sample std over 1 seed)'))
    assert [l.split()[0] for l in lines[head + 3:head + 8]] == ['fixed', 'rods', 'augment', 'offline', 'dynamic']
    assert any(l.split()[:2] == ['a1', 'uninformative'] for l in lines)          # one seed decides nothing
    assert 'RuntimeWarning' not in r.stderr and 'without encryption' not in r.stderr
    assert (out/'notebook.ipynb').exists() and (out/'results.json').exists() and (out/'figures'/'learning_curves.html').exists()

def test_demo_bad_parameter_is_a_usage_error():
    r = run('demo', '-p', 'n_seedz', '3')
    assert r.returncode == 2 and "unknown parameter 'n_seedz' (did you mean 'n_seeds'?)" in r.stderr

def test_methods_table_lists_every_method_with_its_components():
    r = run('methods')
    assert r.returncode == 0, r.stderr
    rows = {l.split()[0]: l.split() for l in r.stdout.split('\n\n')[0].splitlines()[2:]}
    assert rows['rods'][1:6] == ['group', 'grpo', 'clip', '/', 'token-mean'] and rows['rods'][6] == 'rods'
    assert rows['trace'][1:3] == ['trace', 'tree'] and rows['arpo_hard'][1:3] == ['arpo', 'arpo_hard']
    assert rows['dr_grpo'][2:6] == ['dr_grpo', 'clip', '/', 'seq-mean-token-sum-norm'] and rows['dapo'][6] == 'dynamic'
    assert "kappa=0.5" in r.stdout and "tau=0.5" in r.stdout          # the strategies' option defaults
    r = run('train', '--method', 'trce', '--steps', '1', '--out', 'unused')
    assert r.returncode == 2 and "unknown method 'trce' (did you mean 'trace'?)" in r.stderr
