"""A toy world for trainer tests: reward grows with the number of tool calls, so even an untrained policy
gets rewards that vary within a group (real worlds give an untrained micro model all zeros)."""
from rods_lab.core import Structure, ToolSpec
from rods_lab.tools import render_call, render_answer
from rods_lab.worlds import World, Episode

PING = ToolSpec('ping', 'Ping the server.', {'type': 'object', 'properties': {}, 'required': []})

class PingEpisode(Episode):
    def tool_fns(self): return {'ping': lambda: 'pong'}
    def checkpoints(self): return [self.n_calls > i for i in range(self.task.payload['k'])]
    def solved(self): return self.done and self.n_calls >= self.task.payload['k']

class PingWorld(World):
    name, difficulty, episode_cls = 'ping', {'k': (1, 4)}, PingEpisode
    def generate(self, rng, k=None):
        k = k or rng.randint(1, 4)
        return self.make_task([f"Ping the server {k} times, then answer done. Ticket {rng.randint(0, 10**6)}."], [PING], {'k': k},
                              Structure(('ping',), ('ping',)*k, tuple((i, i+1) for i in range(k-1)), k, 1), {'k': k})
    def oracle(self, task): return [render_call('ping', {})]*task.payload['k'] + [render_answer('done')]
    def _variant(self, task, rng): return self.generate(rng, k=task.payload['k'])

class FlatEpisode(PingEpisode):
    @property
    def reward(self): return 0.5

class FlatWorld(PingWorld):
    "Every episode gets the same reward: every group has zero variance, so training must not move the policy."
    name, episode_cls = 'flat', FlatEpisode
