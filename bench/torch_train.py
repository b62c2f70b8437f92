"""PyTorch side of bench/train.bench.ts: the same MLP/CNN training steps, batch 64, one thread.

Prints a JSON list of {workload, samplesPerSec, fwd, bwd, step} (ms medians). Run by train.bench.ts when torch imports.
"""
import argparse
import json
import resource
import time

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument('--steps', type=int, default=30)
parser.add_argument('--workloads', default='mlp-sgd,mlp-adam,cnn-adam')
# --stable: warm up until the step time has settled (bench/native.bench.ts uses the same rule on Board's side): at
# least 30 steps, then until the medians of the last three windows of 10 steps' CPU times agree within 5% (at most
# 400 warm-up steps). Without it, the fixed 5 warm-up steps train.bench.ts was measured with.
parser.add_argument('--stable', action='store_true')
args = parser.parse_args()
torch.set_num_threads(1)
torch.manual_seed(0)
BATCH, WARMUP = 64, 5


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn():
    return nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(512, 10))


def median(xs):
    return sorted(xs)[len(xs) // 2]


def warm_until_stable(model, opt, loss_fn, batches):
    times, i = [], 0
    while True:
        x, y = batches[i % len(batches)]
        c0 = time.process_time()
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        times.append(time.process_time() - c0)
        i += 1
        if i >= 400:
            return i
        if i >= 30 and i % 10 == 0:
            meds = [median(times[-10:]), median(times[-20:-10]), median(times[-30:-20])]
            if max(meds) <= 1.05 * min(meds):
                return i


def run(workload):
    model = cnn() if workload == 'cnn-adam' else mlp()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3) if workload == 'mlp-sgd' else torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))) for _ in range(4)]
    warmup = warm_until_stable(model, opt, loss_fn, batches) if args.stable else WARMUP
    fwd, bwd, stp, tot, cpu = [], [], [], [], []
    flt0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for i in range(warmup, warmup + args.steps):
        x, y = batches[i % len(batches)]
        c0 = time.process_time()
        t0 = time.perf_counter()
        loss = loss_fn(model(x), y)
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        t3 = time.perf_counter()
        c1 = time.process_time()
        if i >= warmup:
            fwd.append((t1 - t0) * 1e3); bwd.append((t2 - t1) * 1e3); stp.append((t3 - t2) * 1e3); tot.append((t3 - t0) * 1e3); cpu.append((c1 - c0) * 1e3)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - flt0) / args.steps
    total = median(tot)
    return {'workload': workload, 'warmup': warmup, 'minorFaultsPerStep': faults, 'samplesPerSec': BATCH * 1e3 / total, 'cpuSamplesPerSec': BATCH * 1e3 / median(cpu), 'fwd': median(fwd), 'bwd': median(bwd), 'step': median(stp)}


print(json.dumps([run(w) for w in args.workloads.split(',')]))
