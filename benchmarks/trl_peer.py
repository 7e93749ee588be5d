"""Step time of the lab's trainer against TRL's GRPOTrainer, interleaved in one process.

    pip install -e '.[bench]'     # TRL is not a dependency of the lab itself
    python benchmarks/trl_peer.py [--model embedded:tiny] [--steps 8] [--batch-size 32] [--group-size 8] [--max-tokens 64]

Both train the same model (two copies of the same weights) on the same prompts (single-turn mathtool
problems: the lab trainer's own training pool, rendered by the model's chat template), with the same group
size, batch, completion length (both stop at the tool-call/answer tags and eos), learning rate and clipping.
The steps are interleaved: a TRL callback runs one lab step after every TRL step, so both see the same machine
state. Prints the median step time of each and the ratio lab/TRL (below 1.0: the lab is faster). Not a test.
"""
import argparse, os, statistics, sys, tempfile, time
os.environ.setdefault('HF_HUB_OFFLINE', '1'); os.environ.setdefault('TRANSFORMERS_OFFLINE', '1')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='embedded:tiny'); p.add_argument('--steps', type=int, default=8)
    p.add_argument('--batch-size', type=int, default=32); p.add_argument('--group-size', type=int, default=8)
    p.add_argument('--max-tokens', type=int, default=64); p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    import torch
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer
    from rods_lab.engine import set_cpu_threads
    from rods_lab.train import make_config
    from rods_lab.trainer import Trainer
    from rods_lab.worlds import get_world
    set_cpu_threads()
    out = tempfile.mkdtemp()
    lab = Trainer(make_config(world='mathtool', difficulty={'steps': 1}, model=a.model, device='cpu', max_turns=1, seed=a.seed,
                              batch_size=a.batch_size, group_size=a.group_size, max_action_tokens=a.max_tokens,
                              max_total_tokens=a.max_tokens, pool_size=64, eval_n=0, ckpt_every=0, save_rollouts=False,
                              lr=a.lr, steps=a.steps, out=os.path.join(out, 'lab')))
    fmt, tok, world = lab.policy.fmt, lab.policy.tokenizer, get_world('mathtool')
    pool = lab.data.pool()
    ds = Dataset.from_dict(dict(prompt=[tok.decode(fmt.prompt_ids(t)) for t in pool], task_index=list(range(len(pool)))))

    def reward(prompts, completions, task_index, **kw):
        "The lab's own progress signal for one action (the same the lab trainer sees with max_turns=1)."
        rs = []
        for c, i in zip(completions, task_index):
            ep = world.episode(pool[i], max_turns=1); ep.step(c); rs.append(ep.progress)
        return rs

    from transformers import AutoModelForCausalLM
    trl_model = AutoModelForCausalLM.from_pretrained(str(lab.policy.path))
    cfg = GRPOConfig(output_dir=os.path.join(out, 'trl'), use_cpu=True, bf16=False, per_device_train_batch_size=a.batch_size,
                     num_generations=a.group_size, max_completion_length=a.max_tokens, learning_rate=a.lr, max_steps=a.steps,
                     temperature=1.0, epsilon=0.2, epsilon_high=0.28, beta=0.0, loss_type='dapo', logging_steps=10**6,
                     report_to=[], save_strategy='no', seed=a.seed, dataloader_num_workers=0, disable_dropout=True,
                     generation_kwargs=dict(eos_token_id=list(fmt.stop_token_ids)))
    times = dict(trl=[], lab=[])

    class Interleave(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw): self.t0 = time.perf_counter()
        def on_step_end(self, args, state, control, **kw):
            times['trl'].append(time.perf_counter() - self.t0)
            t = time.perf_counter(); lab.step(state.global_step); times['lab'].append(time.perf_counter() - t)

    trainer = GRPOTrainer(model=trl_model, reward_funcs=reward, args=cfg, train_dataset=ds, processing_class=tok, callbacks=[Interleave()])
    trainer.train()
    warm = 1 if a.steps > 2 else 0                       # the first step of each pays one-off costs
    t_trl, t_lab = statistics.median(times['trl'][warm:]), statistics.median(times['lab'][warm:])
    print(f"model {a.model}: {a.steps} steps, batch {a.batch_size}, group {a.group_size}, {a.max_tokens} completion tokens, "
          f"torch threads {torch.get_num_threads()}")
    print(f"median step time: TRL GRPOTrainer {t_trl:.3f} s, rods_lab {t_lab:.3f} s, ratio rods_lab/TRL {t_lab / t_trl:.2f}")
    print('per step (TRL, lab):', ' '.join(f"({x:.2f}, {y:.2f})" for x, y in zip(times['trl'], times['lab'])))

if __name__ == '__main__': sys.exit(main())
