"""A catalogue of bad inputs: each stops with a non-zero exit (or a named exception), a message that names the problem, and nothing written.

The command line runs in-process (`rods_lab.cli.main(argv)`), so the whole catalogue takes seconds, not minutes; one
tiny training run (micro model, one step) is made once and copied for every corrupt-run-directory case."""
import contextlib, gzip, hashlib, io, json, os, shutil
from pathlib import Path
import pytest, torch
from cli_inproc import cli

HERE = Path(__file__).parent
TOY = ['--world', 'toyworld:PingWorld', '--model', 'embedded:micro', '--reward', 'progress', '--batch-size', '8', '--group-size', '4',
       '--pool-size', '16', '--eval-n', '0', '--max-total-tokens', '192', '--max-action-tokens', '32', '--lr', '0.001', '--max-turns', '6']

def tree(root:Path)->dict:
    "Every file under `root` with its content hash: what 'nothing was written' compares."
    return {str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(Path(root).rglob('*')) if p.is_file()}

def expect_refused(argv, msg, w:Path, rc=2):
    "Run the CLI in `w` (the working directory); assert the exit code, the message, no traceback, and that nothing under `w` changed."
    before = tree(w)
    got, _, err = cli(argv)
    assert got == rc, (got, err[-1500:])
    assert msg in err, err[-1500:]
    assert 'Traceback' not in err
    assert tree(w) == before, sorted(set(tree(w)) ^ set(before))

@pytest.fixture
def w(tmp_path, monkeypatch):
    "A fresh working directory (default run directories would land here)."
    monkeypatch.chdir(tmp_path); monkeypatch.syspath_prepend(str(HERE)); monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.delenv('RODS_LAB_DEBUG', raising=False)
    return tmp_path

@pytest.fixture(scope='module')
def micro():
    from rods_lab.build import prepare_embedded
    return Path(prepare_embedded('micro', log=None))

@pytest.fixture(scope='module')
def base_run(tmp_path_factory, micro):
    "One tiny finished run with a checkpoint (copied by the corrupt-run cases)."
    import sys
    sys.path.insert(0, str(HERE))
    d = tmp_path_factory.mktemp('base')/'run'
    rc, _, err = cli(['train', '--steps', '1', '--ckpt-every', '1', '--out', d, *TOY])
    assert rc == 0, err[-2000:]
    assert (d/'ckpt'/'state'/'lab_state.pt').exists()
    return d

# ---------------------------------------------------------------------------------------------------------------
# 1. command-line flags and input files (42 cases)

def _setup_files(w:Path, micro:Path):
    (w/'bin.jsonl').write_bytes(bytes(range(256)) * 4)
    (w/'afile').write_text('x')
    (w/'garbage.json').write_text('{"table": [1, 2')
    (w/'list.json').write_text('[1, 2]')
    (w/'subdir').mkdir()
    nr = w/'norun'; nr.mkdir(); (nr/'config.json').write_text(json.dumps(dict(config={}))); (nr/'metrics.jsonl').write_text('')
    m = w/'model'; shutil.copytree(micro, m)
    (m/'model.safetensors').write_bytes((m/'model.safetensors').read_bytes()[:-64])

CLI_CASES = [
    (['tasks', 'apiworld', '--n', '-1'], 'argument --n: must be an integer >= 0, got -1'),
    (['tasks', 'apiworld', '--n', 'many'], "argument --n: must be an integer >= 0, got 'many'"),
    (['tasks', 'apiworld', '--seed', '-5'], 'argument --seed: must be an integer >= 0, got -5'),
    (['tasks', 'apiwrld'], "unknown world 'apiwrld' (did you mean 'apiworld'?)"),
    (['tasks', 'mathtool', '--depth', '3'], "unknown difficulty keyword 'depth'"),
    (['tasks', 'multihop', '--hops', '9'], 'hops must be an integer in [1, 4], got 9'),
    (['worlds-table', '--n', '-3'], 'argument --n: must be an integer >= 1, got -3'),
    (['worlds-table', '--n', '0'], 'argument --n: must be an integer >= 1, got 0'),
    (['play', 'mathtool', '--seed', '-1'], 'argument --seed: must be an integer >= 0, got -1'),
    (['eval', '--model', 'embedded:micro', '--world', 'mathtool', '--n', '-2'], 'argument --n: must be an integer in [1, 512], got -2'),
    (['eval', '--model', 'embedded:micro', '--world', 'mathtool', '--n', '100000'], 'argument --n: must be an integer in [1, 512], got 100000'),
    (['eval', '--model', 'embedded:micro', '--world', 'mathtool', '--temperature', '-1'], 'argument --temperature: must be a number >= 0.0, got -1'),
    (['eval', '--model', 'embedded:micro', '--world', 'mathtool', '--split', 'tset'], "split must be one of validation, test, got 'tset'"),
    (['eval', '--model', '/no/such/model_dir', '--world', 'mathtool'], 'model directory not found: /no/such/model_dir'),
    (['eval', '--model', 'embedded:huge', '--world', 'mathtool'], "huge"),
    (['eval', '--model', '{w}/norun', '--world', 'mathtool'], 'is a run directory without a checkpoint yet'),
    (['eval', '--model', '{w}/model', '--world', 'mathtool'], 'model/model.safetensors: truncated'),
    (['eval', '--model', 'embedded:micro', '--world', 'nowhere'], "unknown world 'nowhere'"),
    (['verify', '{w}/subdir'], "tasks file '{w}/subdir': is a directory, not a file"),
    (['verify', '{w}/bin.jsonl'], 'is a binary file (NUL byte at offset 0)'),
    (['verify', '{w}/missing.jsonl'], 'no such file'),
    (['train', '--world', 'mathtool', '--lr=-1', '--out', '{w}/r'], 'lr must be > 0, got -1'),
    (['train', '--world', 'mathtool', '--lr', '--out', '{w}/r'], 'flag --lr has no value'),
    (['train', '--world', 'mathtool', '--steps', '3', '24', '--out', '{w}/r'], "expected a --key flag, got '24'"),
    (['train', '--world', 'mathtool', '--steps', '-3', '--out', '{w}/r'], 'argument --steps: must be an integer >= 0, got -3'),
    (['train', '--world', 'mathtool', '--out', '/proc/no_run'], "--out '/proc/no_run': /proc is not writable"),
    (['train', '--world', 'mathtool', '--out', '{w}/afile'], "--out '{w}/afile': is a file, not a directory"),
    (['train', '--world', 'mathtool', '--out', '{w}/afile/run'], 'is a file, so the directory cannot be created'),
    (['train', '--world', 'apiwrld', '--out', '{w}/r'], "unknown world 'apiwrld'"),
    (['train', '--world', 'apiworld', '--difficulty', '{"depht": 1}', '--out', '{w}/r'], "unknown difficulty keyword 'depht' (did you mean 'depth'?)"),
    (['train', '--world', 'apiworld', '--difficulty', '{depth: 2}', '--out', '{w}/r'], "--difficulty needs a JSON object, got '{depth: 2}'"),
    (['train', '--world', 'mathtool', '--batch-size', '6', '--group-size', '4', '--out', '{w}/r'], 'batch_size (6) must be divisible by group_size (4)'),
    (['train', '--world', 'mathtool', '--lrr', '0.1', '--out', '{w}/r'], "unknown RunConfig field 'lrr'"),
    (['train', '--world', 'mathtool', '--model', '/no/such/model_dir', '--out', '{w}/r'], '/no/such/model_dir'),
    (['prepare', '--preset', 'huge'], "unknown preset 'huge'"),
    (['prepare', '--threads', '0'], 'argument --threads: must be an integer >= 1, got 0'),
    (['prepare', '--report', '600'], 'argument --report: must be an integer in [0, 512], got 600'),
    (['report', '{w}/missing.json'], 'no such file'),
    (['report', '{w}/garbage.json'], 'garbage.json is not JSON'),
    (['report', '{w}/list.json'], 'predates the evaluation protocol'),
    (['report', '{w}/subdir'], 'is a directory, not a file'),
    (['demo', '-p', 'stepz', '3'], "unknown parameter 'stepz' (did you mean 'steps'?)"),
    (['demo', '-p', 'steps', 'many', '--out', '{w}/d'], "-p steps 'many': must be int, like its default"),
    (['demo', '-p', 'world', 'apiwrld', '--out', '{w}/d'], "parameter 'world': unknown world 'apiwrld'"),
    (['demo', '-p', 'difficulty', "{'depht': 1}", '--out', '{w}/d'], "parameter 'difficulty': apiworld: unknown difficulty keyword 'depht'"),
    (['demo', '-p', 'n_seeds', '0', '--out', '{w}/d'], "parameter 'n_seeds' must be >= 1, got 0"),
    (['demo', '--out', '/proc/no_demo'], "--out '/proc/no_demo': /proc is not writable"),
]

@pytest.mark.parametrize('argv,msg', CLI_CASES, ids=[' '.join(a)[:60] for a, _ in CLI_CASES])
def test_cli_refuses(w, micro, argv, msg):
    _setup_files(w, micro)
    expect_refused([a.replace('{w}', str(w)) for a in argv], msg.replace('{w}', str(w)), w)

def test_cuda_without_gpu_is_refused(w):
    if torch.cuda.is_available(): pytest.skip('has a GPU')
    expect_refused(['train', '--world', 'mathtool', '--device', 'cuda', '--out', w/'r'], "device='cuda' but no CUDA GPU is visible", w)

def test_debug_shows_the_traceback(w, monkeypatch):
    "The same bad input with --debug (or RODS_LAB_DEBUG=1) raises, so the traceback is there for whoever wants it."
    (w/'d').mkdir()
    from rods_lab.cli import main
    for argv in (['--debug', 'worlds-table', '--n', '2', '--seed', '0'],):   # a good command still works with --debug
        with contextlib.redirect_stdout(io.StringIO()): assert main(argv) == 0
    monkeypatch.setenv('RODS_LAB_DEBUG', '1')
    with pytest.raises(Exception, match='lr must be > 0'): main(['train', '--world', 'mathtool', '--lr', '-1', '--out', str(w/'r')])
    assert not (w/'r').exists()

# ---------------------------------------------------------------------------------------------------------------
# 2. papermill parameters (check_parameters: before out_dir is created)

SPEC = dict(seed=int, n_seeds=int, smoke=bool, out_dir=str, model=str, device=str, world=str, difficulty=dict, steps=int, lr=float, workers=int)
GOOD = dict(seed=0, n_seeds=1, smoke=True, out_dir='runs/x', model='embedded:micro', device='auto', world='apiworld',
            difficulty={'depth': 1}, steps=2, lr=1e-3, workers=1)
PARAM_CASES = [
    (dict(world='apiwrld'), "parameter 'world': unknown world 'apiwrld'"),
    (dict(difficulty={'depht': 1}), "parameter 'difficulty': apiworld: unknown difficulty keyword 'depht'"),
    (dict(difficulty={'depth': 99}), "parameter 'difficulty': apiworld: depth must be an integer in"),
    (dict(steps=-1), "parameter 'steps' must be >= 0, got -1"),
    (dict(steps='3'), "parameter 'steps' must be int, got '3'"),
    (dict(lr=0.0), "parameter 'lr' must be > 0, got 0.0"),
    (dict(n_seeds=0), "parameter 'n_seeds' must be >= 1, got 0"),
    (dict(workers=0), "parameter 'workers' must be >= 1, got 0"),
    (dict(model='embedded:huge'), "parameter 'model' must be 'embedded:<preset>'"),
    (dict(device='gpu'), "parameter 'device': device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got 'gpu'"),
    (dict(out_dir='/proc/no_out'), "parameter 'out_dir' '/proc/no_out': /proc is not writable"),
    (dict(out_dir='afile/sub'), "is a file, so the directory cannot be created"),
    (dict(stepz=3), "unknown parameter 'stepz' (did you mean 'steps'"),
]

@pytest.mark.parametrize('bad,msg', PARAM_CASES, ids=[next(iter(b)) + '=' + repr(next(iter(b.values())))[:30] for b, _ in PARAM_CASES])
def test_notebook_parameters_refused(w, bad, msg):
    from rods_lab.experiments import check_parameters
    (w/'afile').write_text('x'); before = tree(w)
    check_parameters(GOOD, SPEC)                                     # the good set passes
    with pytest.raises(ValueError) as e: check_parameters({**GOOD, **bad}, SPEC)
    assert msg in str(e.value), str(e.value)
    assert tree(w) == before and not (w/'runs').exists()

def test_experiment_notebooks_check_before_writing():
    "In every experiment notebook, the parameter check is the first code cell after `parameters`, and out_dir is created only after it."
    for nb in sorted((HERE.parent/'experiments').glob('*.ipynb')):
        cells = [''.join(c['source']) for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
        first_check = next(i for i, s in enumerate(cells) if 'check_parameters(globals()' in s)
        first_mkdir = next(i for i, s in enumerate(cells) if 'mkdir' in s)
        assert first_check == 1 and first_mkdir > first_check, nb.name

@pytest.mark.parametrize('nb,params,msg', [
    ('grpo', dict(world='apiwrld'), "parameter 'world': unknown world 'apiwrld'"),
    ('rods', dict(difficulty={'depht': 1}), "parameter 'difficulty': apiworld: unknown difficulty keyword 'depht'"),
])
def test_papermill_stops_before_out_dir(tmp_path, nb, params, msg):
    "Through papermill itself: the notebook fails in its check cell, and out_dir was never created."
    import papermill as pm
    out = tmp_path/'out'
    with pytest.raises(pm.PapermillExecutionError) as e:
        pm.execute_notebook(str(HERE.parent/'experiments'/f"{nb}.ipynb"), str(tmp_path/'executed.ipynb'), kernel_name='python3',
                            parameters=dict(smoke=True, out_dir=str(out), **params), progress_bar=False, cwd=str(tmp_path),
                            kernel_manager_class='rods_lab.experiments.IPCKernelManager')
    assert msg in e.value.evalue and e.value.exec_count <= 3, (e.value.exec_count, e.value.evalue)
    assert not out.exists()

# ---------------------------------------------------------------------------------------------------------------
# 3. corrupt or hostile run directories on resume

class Payload:
    "A crafted pickle: loading it with weights_only=False would run a shell command."
    marker = None
    def __reduce__(self): return (os.system, (f"touch {self.marker}",))

def _evil(path:Path, marker:Path, key='step'):
    Payload.marker = marker; torch.save({key: Payload()}, path)

def _truncate(p:Path, n:int): p.write_bytes(p.read_bytes()[:n])

RUN_CASES = {   # name -> (damage(run_dir, marker), what the message names)
    'garbage config.json': (lambda d, m: (d/'config.json').write_text('{oops'), 'config.json: corrupted'),
    'config.json without config': (lambda d, m: (d/'config.json').write_text('[1]'), "config.json: no 'config' object"),
    'changed config field': (lambda d, m: (d/'config.json').write_text((d/'config.json').read_text().replace('"lr": 0.001', '"lr": 0.002')), "field 'lr' was 0.002"),
    'deleted state model.safetensors': (lambda d, m: (d/'ckpt'/'state'/'model.safetensors').unlink(), 'ckpt/state/model.safetensors: missing'),
    'deleted ckpt model.safetensors': (lambda d, m: (d/'ckpt'/'model'/'model.safetensors').unlink(), 'ckpt/model/model.safetensors: missing'),
    'truncated state model.safetensors': (lambda d, m: _truncate(d/'ckpt'/'state'/'model.safetensors', 5000), 'ckpt/state/model.safetensors: truncated'),
    'empty model.safetensors': (lambda d, m: _truncate(d/'ckpt'/'model'/'model.safetensors', 0), 'ckpt/model/model.safetensors: empty'),
    'empty optimizer.bin': (lambda d, m: _truncate(d/'ckpt'/'state'/'optimizer.bin', 0), 'optimizer.bin: empty'),
    'truncated optimizer.bin': (lambda d, m: _truncate(d/'ckpt'/'state'/'optimizer.bin', 200), 'optimizer.bin: truncated or corrupted'),
    'random scheduler.bin': (lambda d, m: (d/'ckpt'/'state'/'scheduler.bin').write_bytes(os.urandom(3000)), 'scheduler.bin: '),
    'truncated random states': (lambda d, m: _truncate(d/'ckpt'/'state'/'random_states_0.pkl', 100), 'random_states_0.pkl: truncated or corrupted'),
    'crafted lab_state.pt': (lambda d, m: _evil(d/'ckpt'/'state'/'lab_state.pt', m), 'lab_state.pt: refused'),
    'crafted optimizer.bin': (lambda d, m: _evil(d/'ckpt'/'state'/'optimizer.bin', m, 'state'), 'optimizer.bin: refused'),
    'crafted random states': (lambda d, m: _evil(d/'ckpt'/'state'/'random_states_0.pkl', m, 'random_state'), 'random_states_0.pkl: refused'),
    'lab state of another version': (lambda d, m: (d/'ckpt'/'state'/'lab_state.pt').unlink(), 'lab_state.pt: missing'),
    'half a checkpoint': (lambda d, m: shutil.rmtree(d/'ckpt'/'state'), 'is not a whole checkpoint: it lacks state/'),
    'garbage metrics line': (lambda d, m: (d/'metrics.jsonl').write_text('garbage\n' + (d/'metrics.jsonl').read_text()), 'metrics.jsonl:1: corrupted'),
    'garbage event line': (lambda d, m: ((d/'buffer').mkdir(), (d/'buffer'/'events.jsonl').write_text('{"step": 1}\nxx\n{"step": 1}\n')), 'events.jsonl:2: corrupted line'),
    'other model shapes': (lambda d, m: __import__('safetensors.torch').torch.save_file({'w': torch.zeros(2)}, str(d/'ckpt'/'state'/'model.safetensors')), "does not fit the model embedded:micro"),
}

@pytest.mark.parametrize('case', list(RUN_CASES))
def test_corrupt_run_is_not_resumed(w, base_run, case):
    d = w/'run'; shutil.copytree(base_run, d)
    damage, msg = RUN_CASES[case]
    marker = w/'pwned'
    damage(d, marker)
    expect_refused(['train', '--steps', '2', '--ckpt-every', '1', '--out', d, *TOY, '--resume', 'true'], msg, w)
    assert not marker.exists()                                       # nothing in the file ran

def test_intact_copy_resumes(w, base_run):
    "The control: the undamaged copy resumes and trains its extra step."
    d = w/'run'; shutil.copytree(base_run, d)
    rc, _, err = cli(['train', '--steps', '2', '--ckpt-every', '1', '--out', d, *TOY, '--resume', 'true'])
    assert rc == 0, err[-2000:]
    assert [json.loads(l)['step'] for l in (d/'metrics.jsonl').read_text().splitlines()] == [0, 1, 2]

def test_torn_last_metrics_line_is_cut_back(w, base_run):
    "What kill -9 during a write leaves: the torn last line is dropped silently and the run resumes."
    d = w/'run'; shutil.copytree(base_run, d)
    with open(d/'metrics.jsonl', 'a') as f: f.write('{"step": 2, "loss": 0.')
    rc, _, err = cli(['train', '--steps', '2', '--ckpt-every', '1', '--out', d, *TOY, '--resume', 'true'])
    assert rc == 0, err[-2000:]
    assert [json.loads(l)['step'] for l in (d/'metrics.jsonl').read_text().splitlines()] == [0, 1, 2]

# ---------------------------------------------------------------------------------------------------------------
# 4. replay buffer snapshots and the event log

@pytest.fixture
def snap(tmp_path):
    from rods_lab.buffer import ReplayBuffer, write_snapshot, snapshot_path, flush_events
    from rods_lab.worlds import get_world
    buf = ReplayBuffer(capacity=8); buf.admit(get_world('mathtool').sample(3, seed=0), 0)
    p = write_snapshot(buf, snapshot_path(tmp_path, 1)); flush_events(buf, tmp_path/'buffer'/'events.jsonl', 1)
    return buf, p

def _rewrite(p:Path, edit):
    rows = [json.loads(l) for l in gzip.open(p, 'rt')]
    edit(rows)
    with gzip.open(p, 'wt') as f: f.write(''.join(json.dumps(r) + '\n' for r in rows))

SNAP_CASES = {
    'visits="many"': (lambda p: _rewrite(p, lambda rs: rs[1].update(visits='many')), "snapshot_000001.jsonl.gz:2: field 'visits' must be int, got 'many'"),
    'priority null': (lambda p: _rewrite(p, lambda rs: rs[0].update(priority=None)), ":1: field 'priority' must be int or float, got None"),
    'visits true': (lambda p: _rewrite(p, lambda rs: rs[0].update(visits=True)), "field 'visits' must be int, got True"),
    'missing field': (lambda p: _rewrite(p, lambda rs: rs[2].pop('last_step')), ":3: field 'last_step' is missing"),
    'children not ids': (lambda p: _rewrite(p, lambda rs: rs[0].update(children=[1])), "field 'children' must be a list of task ids"),
    'truncated gzip': (lambda p: _truncate(p, 30), 'snapshot_000001.jsonl.gz: corrupted buffer snapshot'),
    'empty snapshot': (lambda p: gzip.open(p, 'wt').close(), 'snapshot_000001.jsonl.gz: empty buffer snapshot'),
    'not an object': (lambda p: _rewrite(p, lambda rs: rs.__setitem__(0, [1, 2])), ':1: a line must be an object'),
}

@pytest.mark.parametrize('case', list(SNAP_CASES))
def test_bad_snapshot_refused(snap, case):
    from rods_lab.buffer import load_buffer_snapshot, SnapshotError
    _, p = snap
    damage, msg = SNAP_CASES[case]; damage(p)
    with pytest.raises(SnapshotError) as e: load_buffer_snapshot(p)
    assert msg in str(e.value), str(e.value)

def test_garbage_event_line_in_the_middle_is_an_error(snap):
    from rods_lab.buffer import flush_events, SnapshotError
    buf, p = snap
    ev = p.parent/'events.jsonl'; lines = ev.read_text().splitlines(keepends=True)
    ev.write_text(lines[0] + 'not json\n' + ''.join(lines[1:])); before = ev.read_text()
    with pytest.raises(SnapshotError, match=r'events.jsonl:2: corrupted event line'): flush_events(buf, ev, 2, resumed=True)
    assert ev.read_text() == before                                   # nothing was rewritten

def test_torn_last_event_line_is_cut_back(snap):
    from rods_lab.buffer import flush_events
    buf, p = snap
    ev = p.parent/'events.jsonl'; good = ev.read_text()
    ev.write_text(good + '{"step": 2, "ev')
    flush_events(buf, ev, 2, resumed=True)
    assert ev.read_text() == good

def test_catalogue_size():
    n = len(CLI_CASES) + 1 + len(PARAM_CASES) + 2 + len(RUN_CASES) + len(SNAP_CASES) + 1
    assert n >= 40, n
