"Shared pytest set-up: offline Hugging Face, markers for slow / GPU / browser tests."
import os, shutil
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')
os.environ.setdefault('HF_DATASETS_OFFLINE', '1')
os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
import pytest

def pytest_addoption(parser):
    parser.addoption('--runslow', action='store_true', default=False, help='also run tests marked slow')

def pytest_collection_modifyitems(config, items):
    try:
        import torch; has_gpu = torch.cuda.is_available()
    except ImportError: has_gpu = False
    has_chromium = shutil.which('chromium') is not None
    for item in items:
        if 'slow' in item.keywords and not config.getoption('--runslow'):
            item.add_marker(pytest.mark.skip(reason='slow: pass --runslow'))
        if 'gpu' in item.keywords and not has_gpu:
            item.add_marker(pytest.mark.skip(reason='needs a CUDA GPU'))
        if 'browser' in item.keywords and not has_chromium and not os.environ.get('REQUIRE_CHROMIUM'):
            item.add_marker(pytest.mark.skip(reason='needs Debian chromium (apt-get install chromium)'))

MICRO_RUN = dict(world='mathtool', difficulty={'steps': 1}, model='embedded:micro', device='cpu', steps=2, batch_size=8, group_size=4,
                 pool_size=8, eval_n=4, eval_every=1, max_action_tokens=24, max_total_tokens=160, lr=1e-3, reward='progress', data='fixed')

@pytest.fixture(scope='session')
def micro_tree_runs(tmp_path_factory):
    "Two real runs of the micro model (a TRACE run and a GRPO run, 2 steps each, rollouts saved), trained once per session."
    from rods_lab.trainer import train
    root = tmp_path_factory.mktemp('micro_runs')
    return {name: train(**MICRO_RUN, rollout=rollout, advantage=adv, out=str(root/f"{name}-s0"))
            for name, rollout, adv in (('trace', 'trace', 'tree'), ('grpo', 'group', 'grpo'))}
