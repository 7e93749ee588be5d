"The Guides pages of the docs site: their code runs as written, and every command they name exists."
import os, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT/'docs'/'guides'

def blocks(md:str, lang:str)->list[str]:
    return re.findall(rf'```{lang}\n(.*?)```', md, re.S)

def test_add_a_method_runs_as_written(tmp_path):
    "The guide's Python blocks, in order, in a fresh interpreter: the new estimator, the method and a 2-step run."
    code = '\n'.join(blocks((GUIDES/'add-a-method.md').read_text(), 'python'))
    assert 'register_advantage' in code and 'Trainer(cfg).run()' in code
    (tmp_path/'guide.py').write_text(code + "\nprint('guide ok')\n")
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'RODS_LAB_CACHE': os.environ.get('RODS_LAB_CACHE', str(Path.home()/'.cache'/'rods_lab'))}
    r = subprocess.run([sys.executable, str(tmp_path/'guide.py')], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0 and 'guide ok' in r.stdout, r.stderr[-3000:]

def test_commands_named_in_guides_exist():
    "Every `rods-lab SUBCOMMAND` and every `--flag` of `rods-lab train/eval/prepare` in the guides is one the CLI has."
    from rods_lab.cli import build_parser
    parser = build_parser()
    subs = next(a for a in parser._actions if a.__class__.__name__ == '_SubParsersAction').choices
    from rods_lab.train import config_fields
    seen = 0
    for md in sorted(GUIDES.glob('*.md')):
        for block in blocks(md.read_text(), 'bash'):
            for line in block.replace('\\\n', ' ').splitlines():
                for m in re.finditer(r'rods-lab"?\)?"?\s+([a-z-]+)((?:\s+[^|#;]*)?)', line):
                    cmd, rest = m.group(1), m.group(2)
                    assert cmd in subs, f"{md.name}: unknown command rods-lab {cmd}"
                    known = {o for a in subs[cmd]._actions for o in a.option_strings}
                    for flag in re.findall(r'(?<!\S)(--[a-z][a-z-]*)', rest):
                        ok = flag in known or (cmd == 'train' and flag[2:].replace('-', '_') in config_fields())
                        assert ok, f"{md.name}: rods-lab {cmd} has no option {flag}"
                    seen += 1
    assert seen >= 8
