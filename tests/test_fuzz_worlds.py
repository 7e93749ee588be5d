"""Property-based fuzzing of every world's `Episode.step` (hypothesis): whatever a model writes, a step returns an
observation in bounded time, and no random or mutated output succeeds unless it is a correct answer.

The generators (mutations of oracle actions, Unicode edge cases, deep nesting, huge strings, enumerations) and the
reference of a correct answer are those of `benchmarks/fuzz_worlds.py`, which drives 10^6 outputs; here hypothesis
draws a few thousand per world (deterministically, so CI is reproducible) and shrinks any failure to a small case.
"""
import sys, time
from pathlib import Path
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'benchmarks'))
import fuzz_worlds as fz
from rods_lab.tools import TOOL_CALL_OPEN, TOOL_CALL_CLOSE, ANSWER_OPEN, ANSWER_CLOSE
from rods_lab.worlds import get_world

WORLDS = ['apiworld', 'multihop', 'mathtool']
MAX_STEP_S = 0.5          # a step must take less than this, on a loaded 2-core CI machine
FUZZ = settings(max_examples=1000, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_TASKS: dict = {}

def tasks(world:str)->list:
    if world not in _TASKS: _TASKS[world] = get_world(world).sample(40, seed=7)
    return _TASKS[world]

CHARS = st.one_of(st.characters(), st.characters(min_codepoint=0xd800, max_codepoint=0xdfff), st.sampled_from('<>{}[]"\\:,/ \x00\n'))
TAGS = st.sampled_from([('', ''), (ANSWER_OPEN, ANSWER_CLOSE), (TOOL_CALL_OPEN, TOOL_CALL_CLOSE), (TOOL_CALL_OPEN, ''), ('', ANSWER_CLOSE)])
KINDS = ('text', 'mutate', 'mutate_call', 'generated', 'random_action', 'attack', 'nest')

def draw_output(data, world, task, ep, oracle)->tuple[str, str]:
    "One output for `ep`, its kind drawn by hypothesis (which then shrinks towards simple kinds and short texts)."
    kind = data.draw(st.sampled_from(KINDS), label='kind')
    rng = data.draw(st.randoms(use_true_random=False), label='rng')
    golds = fz.gold_answers(world, task); gold = golds[min(ep.turn_idx, len(golds) - 1)]
    if kind == 'text':
        (o, c), body = data.draw(TAGS, label='tags'), data.draw(st.text(CHARS, max_size=200), label='text')
        return o + body + c, 'noise'
    if kind == 'nest':
        n = data.draw(st.integers(0, 1950), label='depth'); b = data.draw(st.sampled_from('[{'), label='bracket')
        body = b * n if b == '[' else '{"a": ' * (n // 6) + '1' + '}' * (n // 6)
        if data.draw(st.booleans(), label='in an answer'): return ANSWER_OPEN + body + ANSWER_CLOSE, 'noise'
        return TOOL_CALL_OPEN + '{"name": "' + task.tools[0].name + '", "arguments": {"x": ' + body + '}}' + TOOL_CALL_CLOSE, 'noise'
    a = oracle[min(ep.n_steps, len(oracle) - 1)]
    if kind == 'mutate': return fz.mutate(a, rng), 'noise'
    if kind == 'mutate_call': return (fz.mutate_call(a, rng) if a.startswith(TOOL_CALL_OPEN) else fz.mutate(a, rng)), 'noise'
    if kind == 'generated': return fz.generated(rng), 'noise'
    if kind == 'random_action': return world.random_action(task, rng), 'noise'
    return fz.attack(world, task, gold, rng), 'attack'

@pytest.mark.parametrize('world', WORLDS)
@FUZZ
@given(data=st.data())
def test_fuzzed_outputs_never_raise_stall_or_falsely_succeed(world, data):
    w = get_world(world)
    task = data.draw(st.sampled_from(tasks(world)), label='task')
    oracle = w.oracle(task)
    ep = w.episode(task, max_turns=len(oracle) + 6)
    k = data.draw(st.integers(0, len(oracle) - 1), label='oracle prefix')
    for a in oracle[:k]: ep.step(a)
    first, golds, last = len(ep.answers), fz.gold_answers(w, task), None
    for _ in range(data.draw(st.integers(1, 12), label='outputs')):
        if ep.done: break
        text, last = draw_output(data, w, task, ep, oracle)
        t0 = time.perf_counter(); r = ep.step(text); dt = time.perf_counter() - t0
        assert isinstance(r.observation, str) and r.observation.encode('utf-8') is not None
        assert dt < MAX_STEP_S, (dt, text[:100])
        assert 0.0 <= ep.progress <= 1.0 and isinstance(r.done, bool)
    fuzzed = list(enumerate(ep.answers))[first:]
    if ep.success: assert all(fz.is_correct(w, task, golds[t], a) for t, a in fuzzed), [a[:100] for _, a in fuzzed]
    if world == 'multihop' and fuzzed and last == 'attack': assert ep.f1 == 0.0, ep.answers[-1][:100]

@pytest.mark.parametrize('world', WORLDS)
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(data=st.data())
def test_gold_preserving_answers_succeed(world, data):
    "The other side of 'no false success': a correct answer after the oracle's calls always succeeds."
    w = get_world(world)
    task = data.draw(st.sampled_from(tasks(world)), label='task')
    rng = data.draw(st.randoms(use_true_random=False), label='rng')
    answer = fz.gold_answer(w, fz.gold_answers(w, task)[-1], rng)
    assert w.play(task, w.oracle(task)[:-1] + [answer]).success, answer

@pytest.mark.parametrize('world', WORLDS)
def test_fuzz_driver_finds_nothing(world):
    "The benchmark's own driver, briefly: no exception, no false success, no slow step, no correct answer rejected."
    rep = fz.fuzz_world(world, 1500, seed=3, max_step_s=MAX_STEP_S, n_tasks=60)
    assert rep.outputs == 1500 and not rep.exceptions and not rep.false_successes and not rep.slow and rep.gold_rejected == 0
