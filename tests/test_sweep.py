"`rods-lab sweep` on a real Ray cluster: a head started on localhost by the test, two workers, one run failing on purpose."
import csv, json, os, shutil, socket, subprocess, sys, tempfile
from pathlib import Path
import nbformat
import pytest
from nbformat.v4 import new_notebook, new_code_cell

BIN = Path(sys.executable).parent
ENV = {**os.environ, 'RAY_AUTH_MODE': 'disabled', 'RAY_USAGE_STATS_ENABLED': '0'}

def free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture
def ray_head(tmp_path):
    "A Ray head on localhost with 2 CPUs, stopped when the test ends."
    port, tmp = free_port(), tempfile.mkdtemp(prefix='ray', dir='/tmp')      # Ray's socket paths must stay under 108 bytes
    r = subprocess.run([str(BIN/'ray'), 'start', '--head', f'--port={port}', '--node-ip-address=127.0.0.1', '--num-cpus=2', '--num-gpus=0',
                        '--include-dashboard=false', f'--temp-dir={tmp}'], env=ENV, capture_output=True, text=True, timeout=180)
    try:
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        yield f'127.0.0.1:{port}'
    finally:
        subprocess.run([str(BIN/'ray'), 'stop', '--force'], env=ENV, capture_output=True, timeout=120)
        shutil.rmtree(tmp, ignore_errors=True)

def toy_notebook(path:Path)->Path:
    "A study stand-in: sleeps, records its process and start/end times, fails on purpose when x == 3."
    nb = new_notebook(cells=[
        new_code_cell("x = 1\nout_dir = 'toy'", metadata={'tags': ['parameters']}),
        new_code_cell("import json, os, pathlib, time\nt0 = time.time()\nif x == 3: raise RuntimeError(f'x = {x} fails on purpose')\ntime.sleep(3)\n"
                      "pathlib.Path(out_dir).mkdir(parents=True, exist_ok=True)\n"
                      "json.dump(dict(score=x * x, pid=os.getpid(), start=t0, end=time.time(), threads=os.environ.get('OMP_NUM_THREADS')),"
                      " open(pathlib.Path(out_dir)/'results.json', 'w'))")],
        metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')))
    nbformat.write(nb, path); return path

def test_sweep_on_a_ray_cluster(tmp_path, ray_head):
    nb, out = toy_notebook(tmp_path/'toy.ipynb'), tmp_path/'sweep'
    cmd = [str(BIN/'rods-lab'), 'sweep', str(nb), '-p', 'x', '1', '2', '3', '4', '--workers', '2', '--address', ray_head, '--out', str(out)]
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stdout[-3000:] + r.stderr[-3000:]              # one run failed
    assert 'x=3: FAILED in cell 2: RuntimeError: x = 3 fails on purpose' in r.stdout
    rows = list(csv.DictReader(open(out/'sweep.csv')))
    assert [(w['x'], w['status'], w['score']) for w in rows] == [('1', 'ok', '1'), ('2', 'ok', '4'), ('3', 'failed', ''), ('4', 'ok', '16')]
    res = [json.loads((out/f'x={x}'/'results.json').read_text()) for x in (1, 2, 4)]
    assert {q['threads'] for q in res} == {'1'}                                  # one torch thread per run
    spans = sorted((q['start'], q['end']) for q in res)
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:])), spans              # two runs at once
    assert (out/'x=3'/'notebook.ipynb').exists() and (out/'sweep.html').exists()
    # again: the finished runs are skipped, the failed one is retried (and fails again)
    r2 = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=600)
    assert r2.returncode == 1 and r2.stdout.count('finished run skipped') == 3 and 'x=3: FAILED' in r2.stdout
