"The `rods-lab` command run in the test process: `rods_lab.cli.main(argv)` with its output captured (seconds, not a subprocess each)."
import contextlib, importlib, io

def cli(argv:list, # the command line after `rods-lab`
        plugins:tuple=() # modules to import first (registry entries a test needs where the installed package does not declare them yet)
       )->tuple[int, str, str]:
    "Exit code, stdout and stderr of `rods-lab ARGV`, run in this process (argparse's SystemExit included)."
    for m in plugins: importlib.import_module(m)
    from rods_lab.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: rc = main([str(a) for a in argv])
        except SystemExit as e: rc = e.code
    return rc, out.getvalue(), err.getvalue()
