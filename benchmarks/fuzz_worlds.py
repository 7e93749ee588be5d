"""Fuzz every world's `Episode.step` with generated and mutated model outputs; print exceptions, false successes,
the slowest step and steps per second.

    python benchmarks/fuzz_worlds.py [--n 1000000] [--seed 0] [--worlds apiworld,multihop,mathtool] [--max-step-s 1.0]

An episode replays a random prefix of the task's oracle actions (so outputs hit every state: the start, mid-chain,
the last turn), then takes fuzzed outputs until it ends. An output is one of:

- a **mutation of an oracle action**: characters inserted, deleted, replaced or duplicated; a tag or brace dropped or
  doubled; an argument retyped, dropped, renamed, added or replaced by deep nesting; a number nudged;
- **generated text**: random printable and arbitrary Unicode (NUL bytes, lone surrogates), 1 MB strings, brackets nested
  up to 1,900 deep inside a call or an answer, a call of a tool the task does not list;
- an **answer attack**: an enumeration of numbers, a list of every value of the gold value's kind (with the gold value
  among them), the gold value next to one other candidate, a perturbed gold value;
- a **gold-preserving answer**: the gold value bare, re-cased, padded or in a sentence template (these must succeed
  once the oracle's calls are done, and are counted as 'correct answers rejected' when they do not).

A *false success* is an episode that succeeds although one of its fuzzed answers is not a correct answer. This
reference is written independently of the worlds' checkers and is deliberately simple: a correct answer mentions the
gold value and no other candidate. For apiworld: the gold value as a whole token (`value_in_text`, the old lenient
rule) and none of the other values of its kind that `other_values` lists, and for a number no other number; for
multihop: the normalised gold name and no other entity name of the knowledge base; for mathtool: no number but the
gold one. So a mutated gold answer that keeps the value intact ("a13" for 13) is correct, an enumeration or a list of
candidates that contains the gold value is not. Turns that only ask for an action ('Done.') accept any answer. A
multihop answer attack that earns token-F1 partial credit counts as a false success too. Exceptions out of `step`, false
successes and steps slower than `--max-step-s` are printed with the output that caused them, and make the exit
status 1, as does a gold-preserving answer that is rejected. Times are given as wall clock and as this process's CPU
time (the CPU figures stay meaningful on a loaded machine); outputs/s counts the whole loop, episode set-up and
oracle-prefix replay included. `tests/test_fuzz_worlds.py` drives the same generators with hypothesis.
"""
from __future__ import annotations
import argparse, json, os, random, re, sys, time, traceback
from fractions import Fraction
os.environ.setdefault('OMP_NUM_THREADS', '1')
from rods_lab.tools import render_call, render_answer, TOOL_CALL_OPEN, TOOL_CALL_CLOSE, ANSWER_OPEN, ANSWER_CLOSE
from rods_lab.worlds import get_world, list_worlds

WORLDS = ('apiworld', 'multihop', 'mathtool')
TEMPLATES = ('{}', '{}.', ' {} ', 'The answer is {}.', 'Answer: {}', 'It is {}.')
HUGE = 'x' * 1_000_000
NESTED = ('[' * 1900, '[' * 950 + ']' * 950, '{"a": ' * 250 + '1' + '}' * 250, '[' * 33 + ']' * 33)   # all fit the 2,000-char cap
ALPHABET = '{}[]<>/"\\:,. -_abcxyz019' + '\x00\ud800\udfff\u2028é中'

# --- the gold value of a turn and its kind's other values -------------------------------------------------------

def gold_answers(world, task)->list[str|None]:
    "Per user turn, the gold value its answer must state (None: any answer will do)."
    p = task.payload
    if world.name == 'apiworld': return [None if a == 'Done.' else a for a in p['answers']]
    return [str(p['answer'])]

def other_values(world, task, gold:str)->list[str]:
    "Values of the gold value's kind other than the gold one (the candidates an enumeration would list)."
    if world.name == 'multihop': return [e.name for e in world.kb.entities[:400] if e.name != gold]
    if world.name == 'apiworld':
        from rods_lab.worlds.api_services import value_kind, VOCABULARIES, DATES
        k = value_kind(gold)
        if k in VOCABULARIES: return [v for v in VOCABULARIES[k] if v.lower() != gold.lower()]
        if k == 'date': return [d for d in DATES if d != gold]
        if k.startswith('id:'): return [f"{gold.split('-')[0]}-{i}" for i in range(100, 400) if f"{gold.split('-')[0]}-{i}" != gold]
    try: x = Fraction(gold.replace(',', ''))
    except (ValueError, ZeroDivisionError): return ['x', 'y']
    return [f"{float(v):.2f}".rstrip('0').rstrip('.') for v in (x + 1, x - 1, x * 2, x + Fraction(1, 100), x / 3 + 1, 0) if v != x]

_NUMBER = re.compile(r'-?\d+(?:,\d{3})*(?:\.\d+)?')

def _numbers(text:str)->set:
    return {Fraction(m.replace(',', '')) for m in _NUMBER.findall(text)}

_NAMES: dict = {}

def _norm(text:str)->str:
    from rods_lab.worlds.multihop import normalize_answer
    return f" {normalize_answer(text)} "

def _other_names(world, task, gold:str)->list[str]:
    "Normalised names of the knowledge base's entities, except the gold one, its parts and the question's start."
    if world.name not in _NAMES: _NAMES[world.name] = [_norm(e.name) for e in world.kb.entities]
    g, start = _norm(gold), _norm(task.payload['start'])
    return [n for n in _NAMES[world.name] if n not in g and n != start]

def is_correct(world, task, gold:str|None, text:str)->bool:
    "Does `text` mention `gold` and no other candidate (the reference of the module docstring)?"
    if gold is None: return True
    if world.name == 'multihop':
        t = _norm(text)
        return _norm(gold) in t and not any(n in t for n in _other_names(world, task, gold))
    if world.name == 'mathtool': return _numbers(text) == {Fraction(gold)}
    from rods_lab.worlds.api_services import value_in_text, _NUM_RE, _as_number
    if not value_in_text(gold, text): return False
    if _as_number(gold) is not None: return all(abs(_as_number(m) - _as_number(gold)) < 0.005 for m in _NUM_RE.findall(text))
    return not any(value_in_text(o, text) for o in other_values(world, task, gold))

# --- generators: each returns (action text, label), label in {'noise', 'attack', 'gold'} -------------------------

def mutate(text:str, rng:random.Random)->str:
    "One random character- or token-level mutation of an action text."
    r, n = rng.random(), len(text)
    i = rng.randrange(n + 1)
    if r < 0.2: return text[:i] + rng.choice(ALPHABET) + text[i:]
    if r < 0.35: return text[:i] + text[i + rng.randint(1, 8):]
    if r < 0.45: return text[:i] + rng.choice(ALPHABET) + text[i + 1:]
    if r < 0.55: return text[:i] + text[i:i + rng.randint(1, 30)] + text[i:]
    if r < 0.65: return re.sub(r'\d', lambda m: str(rng.randrange(10)), text, count=rng.randint(1, 3))
    if r < 0.72: return text.replace(rng.choice((TOOL_CALL_OPEN, TOOL_CALL_CLOSE, ANSWER_OPEN, ANSWER_CLOSE, '{', '}', '"')), '', 1)
    if r < 0.8: return text + rng.choice((TOOL_CALL_OPEN, ANSWER_OPEN, TOOL_CALL_CLOSE, ANSWER_CLOSE, text))
    if r < 0.9: return text[:i]
    return text.swapcase() if rng.random() < 0.5 else text.upper()

def mutate_call(action:str, rng:random.Random)->str:
    "A JSON-level mutation of a tool call: retype, drop, rename, add or deeply nest an argument."
    try: obj = json.loads(action[len(TOOL_CALL_OPEN):-len(TOOL_CALL_CLOSE)])
    except ValueError: return mutate(action, rng)
    args = obj.get('arguments', {})
    k = rng.choice(sorted(args)) if args else 'x'
    r = rng.random()
    if r < 0.25: args[k] = rng.choice([None, True, -1, 10**30, 1e308, '', [], {}, '\x00', '\ud800', 'A' * 1500, [[[[1]]]]])
    elif r < 0.4: args.pop(k, None)
    elif r < 0.55: args[k + rng.choice(('_', 's', 'X'))] = args.pop(k, 1)
    elif r < 0.7: args[rng.choice(('id', 'k', 'extra', 'query'))] = rng.randint(-5, 5)
    elif r < 0.85: return action.replace(json.dumps(args.get(k, '')), rng.choice(NESTED[1:]), 1)
    else: obj['name'] = rng.choice((obj.get('name', '') + 'x', 'rm', '', 'exec', '__import__'))
    return TOOL_CALL_OPEN + json.dumps(obj, ensure_ascii=rng.random() < 0.5) + TOOL_CALL_CLOSE

def generated(rng:random.Random)->str:
    "Text a broken model might write: random characters, Unicode edge cases, huge or deeply nested text."
    r = rng.random()
    if r < 0.3: return ''.join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80)))
    if r < 0.45: return ''.join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(0, 40)))
    if r < 0.5: return HUGE[:rng.choice((2001, 5000, 1_000_000))]
    if r < 0.7: return TOOL_CALL_OPEN + '{"name": "x", "arguments": {"a": ' + rng.choice(NESTED) + '}}' + TOOL_CALL_CLOSE
    if r < 0.8: return ANSWER_OPEN + rng.choice(NESTED) + ANSWER_CLOSE
    if r < 0.9: return render_call(rng.choice(('rm', 'exec', 'eval', 'open', 'system')), {'path': '/', 'cmd': 'ls'})
    return rng.choice(('', ' ', '\x00' * 100, '\ud800', ANSWER_OPEN + ANSWER_CLOSE, TOOL_CALL_OPEN, ANSWER_CLOSE * 3))

def attack(world, task, gold:str|None, rng:random.Random)->str:
    "An answer that lists or perturbs candidates: never a correct answer when the turn has a gold value."
    r = rng.random()
    if gold is None or r < 0.3:
        hi = rng.choice((50, 400, 5000))
        step = max(1, hi // 400)
        return render_answer(' '.join(map(str, range(0, hi + 1, step))))
    others = other_values(world, task, gold)
    if r < 0.6:
        pick = rng.sample(others, min(len(others), rng.randint(1, 60)))
        sep = rng.choice((', ', ' ', ' or ', '\n'))
        while len(pick) > 1 and len(sep.join(pick)) + len(gold) > 1900: pick.pop()
        pick.insert(rng.randrange(len(pick) + 1), gold)
        return render_answer(sep.join(pick))
    if r < 0.85: return render_answer(rng.choice(TEMPLATES).format(f"{gold} or {rng.choice(others)}"))
    return render_answer(rng.choice(TEMPLATES).format(rng.choice(others)))

EXACT_TEMPLATES = ('{}', '{}.', ' {} ', 'the {}')   # multihop's reward is exact match: no sentences

def gold_answer(world, gold:str|None, rng:random.Random)->str:
    "A correct answer: the gold value bare, re-cased, padded or in a sentence template."
    g = 'Done' if gold is None else gold
    g = rng.choice((g, g.lower(), g.upper(), f"  {g}\n")) if not g[:1].isdigit() else g
    return render_answer(rng.choice(EXACT_TEMPLATES if world.name == 'multihop' else TEMPLATES).format(g))

def next_output(world, task, ep, oracle:list[str], rng:random.Random)->tuple[str, str]:
    "One fuzzed output for episode `ep` and its label ('noise', 'attack' or 'gold')."
    gold = gold_answers(world, task)[min(ep.turn_idx, len(gold_answers(world, task)) - 1)]
    r = rng.random()
    if r < 0.35:
        a = oracle[min(ep.n_steps, len(oracle) - 1)] if rng.random() < 0.7 else rng.choice(oracle)
        return (mutate_call(a, rng) if a.startswith(TOOL_CALL_OPEN) and rng.random() < 0.5 else mutate(a, rng)), 'noise'
    if r < 0.6: return generated(rng), 'noise'
    if r < 0.75: return world.random_action(task, rng), 'noise'
    if r < 0.92: return attack(world, task, gold, rng), 'attack'
    return gold_answer(world, gold, rng), 'gold'

# --- the driver --------------------------------------------------------------------------------------------------

class Report:
    "What a fuzz run found."
    def __init__(self, world:str):
        self.world, self.outputs, self.episodes, self.slowest, self.slowest_cpu = world, 0, 0, (0.0, ''), (0.0, '')
        self.exceptions, self.false_successes, self.slow = [], [], []
        self.gold_tried = self.gold_rejected = 0       # gold-preserving final answers after the oracle's calls
    def line(self, dt:float, cpu:float)->str:
        return (f"{self.world:9s} outputs {self.outputs:,d} in {self.episodes:,d} episodes, {dt:.1f} s wall ({cpu:.1f} s CPU): "
                f"exceptions {len(self.exceptions)}, false successes {len(self.false_successes)}, slow steps {len(self.slow)}, "
                f"slowest step {self.slowest[0] * 1e3:.2f} ms wall / {self.slowest_cpu[0] * 1e3:.2f} ms CPU, "
                f"{self.outputs / dt:,.0f} outputs/s wall ({self.outputs / cpu:,.0f} per CPU second); "
                f"correct answers rejected {self.gold_rejected}/{self.gold_tried}")

def fuzz_episode(world, task, rng:random.Random, rep:Report, budget:int, max_step_s:float):
    "Play one episode: an oracle prefix, then fuzzed outputs until it ends or `budget` outputs are spent."
    oracle = world.oracle(task)
    ep = world.episode(task, max_turns=len(oracle) + 8)
    k = len(oracle) - 1 if rng.random() < 0.3 else rng.randrange(len(oracle))
    for a in oracle[:k]: ep.step(a)
    golds, first_answer, used, outs = gold_answers(world, task), len(ep.answers), 0, []
    rep.episodes += 1
    while not ep.done and used < budget:
        text, label = next_output(world, task, ep, oracle, rng)
        t0, c0 = time.perf_counter(), time.process_time()
        try: ep.step(text)
        except Exception as e:
            rep.exceptions.append((task.id, text[:200], ''.join(traceback.format_exception_only(type(e), e)).strip()))
            return used + 1
        dt, dc = time.perf_counter() - t0, time.process_time() - c0; used += 1
        if dt > rep.slowest[0]: rep.slowest = (dt, text[:120])
        if dc > rep.slowest_cpu[0]: rep.slowest_cpu = (dc, text[:120])
        if dt > max_step_s: rep.slow.append((task.id, text[:200], f"{dt:.2f} s"))
        if k == len(oracle) - 1 and not outs and label == 'gold':
            rep.gold_tried += 1; rep.gold_rejected += not ep.success
        outs.append((text, label))
    fuzzed = list(enumerate(ep.answers))[first_answer:]
    if ep.success and not all(is_correct(world, task, golds[t], a) for t, a in fuzzed):
        rep.false_successes.append((task.id, [a[:200] for _, a in fuzzed]))
    if world.name == 'multihop' and fuzzed and outs and outs[-1][1] == 'attack' and ep.f1 > 0:
        rep.false_successes.append((task.id, [f"partial credit {ep.f1:.3f} for {ep.answers[-1][:200]}"]))
    return used

def fuzz_world(name:str, n:int, seed:int, max_step_s:float=1.0, n_tasks:int=300)->Report:
    "Drive `n` fuzzed outputs through world `name`."
    world, rng, rep = get_world(name), random.Random(f"fuzz-{name}-{seed}"), Report(name)
    tasks = world.sample(n_tasks, seed=seed)
    while rep.outputs < n:
        rep.outputs += fuzz_episode(world, rng.choice(tasks), rng, rep, n - rep.outputs, max_step_s)
    return rep

def main(argv=None)->int:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--n', type=int, default=1_000_000, help='fuzzed outputs per world (default 1,000,000)')
    p.add_argument('--seed', type=int, default=0, help='seed of the tasks and the fuzzer')
    p.add_argument('--worlds', default=','.join(WORLDS), help=f"comma-separated worlds (default {','.join(WORLDS)})")
    p.add_argument('--max-step-s', type=float, default=1.0, help='a step slower than this is reported (default 1.0)')
    a = p.parse_args(argv)
    if a.n < 1: p.error(f"--n must be a positive integer, got {a.n}")
    if not a.max_step_s > 0: p.error(f"--max-step-s must be a positive number of seconds, got {a.max_step_s}")
    names = [w.strip() for w in a.worlds.split(',') if w.strip()]
    if not names or (unknown := [w for w in names if w not in list_worlds()]):
        p.error(f"--worlds: unknown world(s) {', '.join(unknown) if names else '(none given)'}; known: {', '.join(list_worlds())}")
    bad = 0
    for name in names:
        t0, c0 = time.perf_counter(), time.process_time()
        rep = fuzz_world(name, a.n, a.seed, a.max_step_s)
        print(rep.line(time.perf_counter() - t0, time.process_time() - c0), flush=True)
        for x in rep.exceptions[:10]: print('  exception:', x)
        for x in rep.false_successes[:10]: print('  false success:', x)
        for x in rep.slow[:10]: print('  slow step:', x)
        print(f"  slowest output (wall): {rep.slowest[1]!r}\n  slowest output (CPU):  {rep.slowest_cpu[1]!r}")
        bad += len(rep.exceptions) + len(rep.false_successes) + len(rep.slow) + rep.gold_rejected
    return int(bad > 0)

if __name__ == '__main__':
    sys.exit(main())
