"""What a sweep costs on top of its notebooks: N runs of a small notebook (it sleeps `--sleep` seconds) executed
directly with papermill one after another, through `rods_lab.runner.sweep` in this process (workers=1), and as
Ray tasks on a local instance (workers=2, the instance's start and stop included).

    python benchmarks/sweep_overhead.py [--runs 4] [--sleep 2]

Prints seconds per configuration, the overhead per run over direct papermill, and what starting and stopping a local
Ray instance costs by itself; the last line is the same as JSON.
"""
import argparse, json, tempfile, time
from pathlib import Path
import nbformat
from nbformat.v4 import new_notebook, new_code_cell

def toy(path:Path, sleep:float)->Path:
    nb = new_notebook(cells=[new_code_cell("x = 0\nout_dir = 'toy'", metadata={'tags': ['parameters']}),
                             new_code_cell(f"import json, pathlib, time\ntime.sleep({sleep})\npathlib.Path(out_dir).mkdir(parents=True, exist_ok=True)\n"
                                           "json.dump(dict(x=x), open(pathlib.Path(out_dir)/'results.json', 'w'))")],
                      metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')))
    nbformat.write(nb, path); return path

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--runs', type=int, default=4); ap.add_argument('--sleep', type=float, default=2.0)
    a = ap.parse_args(argv)
    import papermill as pm
    from rods_lab.runner import sweep, ray_cluster
    tmp = Path(tempfile.mkdtemp()); nb = toy(tmp/'toy.ipynb', a.sleep)
    t0 = time.time()
    for x in range(a.runs):
        d = tmp/'direct'/f'x={x}'; d.mkdir(parents=True)
        pm.execute_notebook(str(nb), str(d/'notebook.ipynb'), parameters=dict(x=x, out_dir=str(d)), kernel_name='python3', progress_bar=False,
                            kernel_manager_class='rods_lab.experiments.IPCKernelManager')
    direct = time.time() - t0
    got = {}
    for name, workers in (('sweep_inline', 1), ('sweep_ray_2_workers', 2)):
        t0 = time.time(); sweep(nb, dict(x=list(range(a.runs))), tmp/name, workers=workers, log=None); got[name] = time.time() - t0
    t0 = time.time()
    with ray_cluster(2): pass
    ray_start_stop = time.time() - t0
    fig = dict(runs=a.runs, sleep_s=a.sleep, direct_s=round(direct, 1), **{f"{k}_s": round(v, 1) for k, v in got.items()},
               inline_overhead_per_run_s=round((got['sweep_inline'] - direct) / a.runs, 2),
               ray_start_stop_s=round(ray_start_stop, 1), ray_vs_direct=round(got['sweep_ray_2_workers'] / direct, 2),
               ray_vs_direct_without_start=round((got['sweep_ray_2_workers'] - ray_start_stop) / direct, 2))
    print(f"{a.runs} runs of a notebook that sleeps {a.sleep}s:")
    print(f"  papermill directly, one after another: {direct:.1f}s")
    print(f"  sweep in this process (workers=1):     {got['sweep_inline']:.1f}s ({fig['inline_overhead_per_run_s']:+.2f}s per run: table, figure)")
    print(f"  sweep on local Ray (workers=2):        {got['sweep_ray_2_workers']:.1f}s (x{fig['ray_vs_direct']} of direct, Ray's start and stop included)")
    print(f"  a local Ray instance's start and stop: {ray_start_stop:.1f}s (without it: x{fig['ray_vs_direct_without_start']} of direct)")
    print(json.dumps(fig))

if __name__ == '__main__': main()
