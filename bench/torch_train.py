"""PyTorch side of bench/train.bench.ts: the same MLP/CNN training steps, batch 64, one thread.

Prints a JSON list of {workload, samplesPerSec, fwd, bwd, step} (ms medians). Run by train.bench.ts when torch imports.
"""
import argparse
import json
import time

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument('--steps', type=int, default=30)
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


def run(workload):
    model = cnn() if workload == 'cnn-adam' else mlp()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3) if workload == 'mlp-sgd' else torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batches = [(torch.randn(BATCH, 1, 28, 28), torch.randint(0, 10, (BATCH,))) for _ in range(4)]
    fwd, bwd, stp, tot, cpu = [], [], [], [], []
    for i in range(WARMUP + args.steps):
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
        if i >= WARMUP:
            fwd.append((t1 - t0) * 1e3); bwd.append((t2 - t1) * 1e3); stp.append((t3 - t2) * 1e3); tot.append((t3 - t0) * 1e3); cpu.append((c1 - c0) * 1e3)
    total = median(tot)
    return {'workload': workload, 'samplesPerSec': BATCH * 1e3 / total, 'cpuSamplesPerSec': BATCH * 1e3 / median(cpu), 'fwd': median(fwd), 'bwd': median(bwd), 'step': median(stp)}


print(json.dumps([run(w) for w in ('mlp-sgd', 'mlp-adam', 'cnn-adam')]))
