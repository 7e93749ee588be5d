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
