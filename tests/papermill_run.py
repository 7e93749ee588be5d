"""Run an experiment notebook through papermill for the smoke tests, with a bound on every cell.

nbclient sometimes never sees the reply to a cell that displays ipywidgets (jupyter/nbclient#312): the
kernel is idle, the client waits forever, and a test run never ends. Every cell therefore gets
`CELL_TIMEOUT` seconds, and a notebook whose cell timed out is run once more from the start (its runs
resume from their checkpoints); a second timeout fails the test. Errors raised by the notebook itself
(bad parameters, failed assertions) are never retried.
"""
from pathlib import Path
import papermill as pm
from nbclient.exceptions import CellTimeoutError

ROOT = Path(__file__).resolve().parent.parent
EXP = ROOT/'experiments'
CELL_TIMEOUT = 420   # seconds; the slowest smoke cell takes well under a minute on 2 idle cores

def execute(name:str, tmp_path:Path, **params)->Path:
    "Execute `experiments/<name>.ipynb` with `params` into `tmp_path`; returns the executed notebook's path."
    out = tmp_path/f"{name}.out.ipynb"
    run = lambda: pm.execute_notebook(str(EXP/f"{name}.ipynb"), str(out), parameters=params, kernel_name='python3',
                                      cwd=str(ROOT), progress_bar=False, execution_timeout=CELL_TIMEOUT)
    try: run()
    except CellTimeoutError:
        print(f"{name}: a cell timed out after {CELL_TIMEOUT} s (jupyter/nbclient#312?); running the notebook once more")
        run()
    return out
