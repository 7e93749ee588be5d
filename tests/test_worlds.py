"""Property tests of the three built-in worlds (hypothesis): oracles succeed, garbage never crashes or succeeds, variants,
determinism, JSON round trips; and the hardening of issue 12: deep nesting, unimplemented tools, gaming answers."""
import json, random
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck
from rods_lab.core import Task, to_dict, from_dict
from rods_lab.worlds import get_world, list_worlds, rollout_stats, random_agent

WORLDS = ['apiworld', 'multihop', 'mathtool']
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

def difficulty(world, data):
    "A random subset of the world's difficulty keywords with values in range."
    w = get_world(world)
    return {k: data.draw(st.integers(lo, hi), label=k) for k, (lo, hi) in w.difficulty.items() if data.draw(st.booleans(), label=f"set {k}")}

def test_builtin_worlds_are_listed():
    assert set(WORLDS) <= set(list_worlds())

@pytest.mark.parametrize('world', WORLDS)
@FAST
@given(seed=st.integers(0, 10**9), data=st.data())
def test_oracle_always_succeeds(world, seed, data):
    w = get_world(world)
    t = w.sample(1, seed=seed, **difficulty(world, data))[0]
    ep = w.play(t, w.oracle(t))
    assert ep.done and ep.success and ep.progress == 1.0 and ep.reward == 1.0 and ep.n_errors == 0
    w.verify(t)

@pytest.mark.parametrize('world', WORLDS)
@FAST
@given(seed=st.integers(0, 10**6), actions=st.lists(st.text(max_size=300), min_size=1, max_size=15))
def test_garbage_never_crashes_or_succeeds(world, seed, actions):
    w = get_world(world)
    t = w.sample(1, seed=seed)[0]
    ep = w.episode(t)
    for a in actions:
        r = ep.step(a)
        assert isinstance(r.observation, str) and 0.0 <= ep.progress <= 1.0
        if r.done: break
    assert not ep.success

@pytest.mark.parametrize('world', WORLDS)
@FAST
@given(seed=st.integers(0, 10**6), calls=st.lists(st.tuples(st.text(max_size=20), st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), st.lists(st.integers(), max_size=3)), max_size=4)), min_size=1, max_size=10))
def test_random_json_calls_never_crash(world, seed, calls):
    "Well-formed JSON calls with random names/arguments (and real tool names with random arguments) give observations, never exceptions."
    w = get_world(world)
    t = w.sample(1, seed=seed)[0]
    ep = w.episode(t)
    names = [s.name for s in t.tools]
    for i, (name, args) in enumerate(calls):
        name = names[i % len(names)] if i % 2 else name
        r = ep.step('<tool_call>' + json.dumps({'name': name, 'arguments': args}) + '</tool_call>')
        assert isinstance(r.observation, str)
        if r.done: break

@pytest.mark.parametrize('world', WORLDS)
def test_random_agent_almost_never_succeeds(world):
    w = get_world(world)
    stats = rollout_stats(w, w.sample(200, seed=11), random_agent(w), seed=3)
    assert stats['success'] <= 0.02 and stats['progress'] < 0.5

@pytest.mark.parametrize('world', WORLDS)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), vseed=st.integers(0, 10**6))
def test_variants_keep_signature_and_differ(world, seed, vseed):
    w = get_world(world)
    t = w.sample(1, seed=seed)[0]
    vs = w.variants(t, k=3, seed=vseed)
    assert len(vs) >= 1
    for v in vs:
        assert v.structure.signature == t.structure.signature
        assert v.id != t.id and (v.instruction != t.instruction or v.payload != t.payload)
        assert v.parent == t.id and v.generation == t.generation + 1 and v.origin == 'synth'
        w.verify(v)
    assert len({v.id for v in vs}) == len(vs)

@pytest.mark.parametrize('world', WORLDS)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_determinism_and_json_round_trip(world, seed):
    w = get_world(world)
    a, b = w.sample(5, seed=seed), w.sample(5, seed=seed)
    ja = [json.dumps(to_dict(t), sort_keys=True) for t in a]
    assert ja == [json.dumps(to_dict(t), sort_keys=True) for t in b]          # byte-identical
    assert w.sample(3, seed=seed) == a[:3]                                    # prefix-stable
    back = [from_dict(Task, json.loads(s)) for s in ja]
    assert back == a
    for t in back: w.verify(t)

@pytest.mark.parametrize('world', WORLDS)
def test_unknown_difficulty_is_an_error(world):
    w = get_world(world)
    with pytest.raises(ValueError, match='unknown difficulty keyword'):
        w.sample(1, seed=0, nonsense=3)

def test_structure_distance_orders_by_similarity():
    w = get_world('apiworld')
    t = w.sample(1, seed=0, depth=2)[0]
    v = w.variants(t, k=1, seed=0)[0]
    far = w.sample(1, seed=0, depth=6)[0]
    assert t.structure.distance(v.structure) == 0.0
    assert t.structure.distance(far.structure) > 0.2

def test_apiworld_depth3_is_not_small():
    "Sampling many depth-3 tasks gives (almost) no duplicates: the task space is large."
    ts = get_world('apiworld').sample(3000, seed=123, depth=3)
    assert len({t.id for t in ts}) >= 2990

def test_world_from_module_spec():
    "A world class named as 'module:Class' is imported and registered under its own name."
    w = get_world('rods_lab.worlds.mathtool:MathToolWorld')
    assert w.name == 'mathtool' and w.sample(1, seed=0)[0].world == 'mathtool'

# --- hardening: step() is total, verify checks the tools, answers cannot be gamed (issue 12) -------------------------
import dataclasses, inspect, sys
from rods_lab.core import ToolSpec
from rods_lab.tools import render_call, render_answer
from rods_lab.worlds import TaskError

def _call(name, value_json):
    return '<tool_call>{"name": ' + json.dumps(name) + ', "arguments": {"x": ' + value_json + '}}</tool_call>'

def _at_stack_room(n, f):
    "Call f with only n frames left before the recursion limit, as from a deep caller."
    old = sys.getrecursionlimit(); sys.setrecursionlimit(len(inspect.stack(0)) + n)
    try: return f()
    finally: sys.setrecursionlimit(old)

@pytest.mark.parametrize('world', WORLDS)
def test_deep_nesting_is_an_error_observation(world):
    "1,900-deep arrays (under the 2,000-char cap) raised RecursionError from json.loads in every world; 960 deep from a deep stack."
    w = get_world(world); t = w.sample(1, seed=0)[0]; name = t.tools[0].name
    for a in [_call('x', '[' * 1900), _call(name, '[' * 1900), _call(name, '[' * 960 + ']' * 960)]:
        assert len(a) < 2000
        r = w.episode(t).step(a)
        assert r.info['error'] == 'too_deep' and 'the limit is 32' in r.observation and not r.done
    for a in [_call(name, '[' * 960 + ']' * 960), _call(name, '[' * 30 + ']' * 30), w.oracle(t)[0]]:
        ep = w.episode(t)
        r = _at_stack_room(40, lambda: ep.step(a))
        assert isinstance(r.observation, str) and ep.n_steps == 1

@pytest.mark.parametrize('world', WORLDS)
def test_unimplemented_tool_fails_verify_and_is_an_error_at_step(world):
    w = get_world(world); t = w.sample(1, seed=1)[0]
    extra = dataclasses.replace(t, tools=[*t.tools, ToolSpec('teleport', 'Go anywhere.', {'type': 'object', 'properties': {}, 'required': []})])
    with pytest.raises(TaskError, match=f"task {t.id}: tool 'teleport' is listed but not implemented by the world"): w.verify(extra)
    r = w.episode(extra).step(render_call('teleport', {}))
    assert r.info['error'] == 'missing_tool' and "does not implement the tool 'teleport'" in r.observation and not r.done
    first = t.tools[0]
    renamed = dataclasses.replace(t, tools=[dataclasses.replace(first, name=first.name + 's'), *t.tools[1:]])
    with pytest.raises(TaskError, match=f"tool '{first.name}s' is listed but not implemented by the world \\(did you mean '{first.name}'\\?\\)"):
        w.verify(renamed)
    arg = next(iter(first.properties))
    props = {(k + '_id' if k == arg else k): v for k, v in first.properties.items()}
    schema = {**first.parameters, 'properties': props, 'required': [k + '_id' if k == arg else k for k in first.required]}
    with pytest.raises(TaskError, match=f"tool '{first.name}': argument '{arg}_id' of its spec is not a parameter"):
        w.verify(dataclasses.replace(t, tools=[dataclasses.replace(first, parameters=schema), *t.tools[1:]]))

def _gold(w, t):
    return t.payload['answers'][-1] if w.name == 'apiworld' else str(t.payload['answer'])

def _gaming(w, t):
    "Answers that list candidates: an enumeration, every value of the gold's kind, the gold next to another candidate."
    from rods_lab.worlds.api_services import CITIES, NAMES, TICKERS, AIRPORTS, DATES
    g, out = _gold(w, t), [' '.join(map(str, range(400)))]
    if w.name == 'apiworld': out += [' '.join(v) for v in (CITIES, NAMES, TICKERS, AIRPORTS.values(), DATES)]
    if w.name == 'multihop':
        names = [e.name for e in w.kb.entities if e.name != g][:80]
        out += [', '.join(names[:40] + [g] + names[40:]), f"{g} or {names[0]}", ' '.join(t.payload['path'] + names[:1])]
    if w.name == 'mathtool': out += [f"{g} or {int(g) + 1}", f"{int(g) - 1} {g}", ', '.join(str(x) for x in range(0, 5001, 17))]
    return [a for a in out if len(render_answer(a)) <= 2000]

@pytest.mark.parametrize('world,difficulty', [('apiworld', {'depth': 1, 'turns': 1}), ('multihop', {'hops': 1}), ('mathtool', {'steps': 1})])
def test_gaming_answers_get_no_success_and_no_partial_credit(world, difficulty):
    "Answering '0 1 2 ... 399' with no tool call solved about 1% of apiworld depth-1 single-turn tasks; now no gaming answer scores."
    w = get_world(world); tasks = w.sample(300, seed=2024, **difficulty)
    wins = 0
    for t in tasks:
        floor = w.play(t, [render_answer('zzz')]).progress                       # what a plainly wrong answer reaches
        for a in _gaming(w, t):
            after_calls = [w.oracle(t)[:-1] + [render_answer(a)]] if _gold(w, t) != 'Done.' else []   # 'Done.' turns take any answer
            for acts in [[render_answer(a)], *after_calls]:
                ep = w.play(t, acts)
                wins += ep.success
                if len(acts) == 1: assert ep.progress == floor, (t.id, a[:60])
                if world == 'multihop': assert ep.f1 == 0.0, (t.id, a[:60])
    assert wins == 0

@pytest.mark.parametrize('world', WORLDS)
def test_legitimate_short_answers_still_succeed(world):
    "The oracle's bare value, and (apiworld, mathtool) the value in a sentence, still succeed; multihop is exact match."
    w = get_world(world)
    for t in w.sample(60, seed=99):
        g = _gold(w, t)
        forms = [g, f" {g} ", f"{g}."] + ([f"The answer is {g}.", f"It is {g}"] if world != 'multihop' else [f"the {g.upper()}"])
        for a in forms:
            assert w.play(t, w.oracle(t)[:-1] + [render_answer(a)]).success, (t.id, a)
