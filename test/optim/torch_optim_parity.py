"""Reference trajectories for test/optim/torch-parity.test.ts: each optimizer config runs 10 steps on two float32
params with seeded gradients; each scheduler config records lr (and momentum) over 15 epochs.
Usage: /usr/bin/python3 test/optim/torch_optim_parity.py > test/fixtures/optim/torch-parity.json
"""
import json, math
import torch
from torch import optim

torch.set_num_threads(1)
OPT = [
    ('SGD', {'lr': 0.1, 'momentum': 0.8, 'dampening': 0.3, 'weight_decay': 0.05}),
    ('SGD', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'maximize': True}),
    ('Adam', {'lr': 0.05, 'weight_decay': 0.1, 'amsgrad': True, 'maximize': True}),
    ('AdamW', {'lr': 0.05}),
    ('AdamW', {'lr': 0.1, 'betas': (0.8, 0.95), 'weight_decay': 0.3, 'amsgrad': True}),
    ('Adamax', {'lr': 0.05, 'maximize': True}),
    ('NAdam', {'lr': 0.05, 'betas': (0.85, 0.99)}),
    ('RAdam', {'lr': 0.05, 'weight_decay': 0.1}),
    ('RMSprop', {'lr': 0.01, 'alpha': 0.8, 'centered': True, 'momentum': 0.7, 'weight_decay': 0.1}),
    ('Adagrad', {'lr': 0.1, 'lr_decay': 0.05, 'initial_accumulator_value': 0.2, 'maximize': True}),
    ('Adadelta', {'lr': 1.0, 'maximize': True}),
]
SCHED = [
    ('ExponentialLR', {'gamma': 0.8}, ('SGD', {'lr': 0.1})),
    ('StepLR', {'step_size': 3, 'gamma': 0.3}, ('SGD', {'lr': 0.1})),
    ('CosineAnnealingLR', {'T_max': 4}, ('SGD', {'lr': 0.1})),
    ('LinearLR', {'start_factor': 0.5, 'end_factor': 0.9, 'total_iters': 7}, ('SGD', {'lr': 0.1})),
    ('OneCycleLR', {'max_lr': 0.3, 'total_steps': 15, 'three_phase': True}, ('SGD', {'lr': 0.1, 'momentum': 0.9})),
    ('OneCycleLR', {'max_lr': 0.3, 'total_steps': 15, 'anneal_strategy': 'linear', 'cycle_momentum': False}, ('Adam', {'lr': 0.1})),
]


def enc(t):
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': t.detach().flatten().tolist()}


def plain(v):
    if isinstance(v, torch.Tensor):
        return enc(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    return v


g = torch.Generator().manual_seed(7)
out = {'optim': [], 'sched': []}
for name, kw in OPT:
    p0 = (torch.rand(3, generator=g) - 0.5).requires_grad_()
    p1 = (torch.rand(2, 2, generator=g) - 0.5).requires_grad_()
    init = [enc(p0), enc(p1)]
    opt = getattr(optim, name)([p0, p1], **kw)
    grads, params = [], []
    for s in range(10):
        gs = [torch.randn(3, generator=g), torch.randn(2, 2, generator=g)]
        p0.grad, p1.grad = gs[0].clone(), gs[1].clone()
        opt.step()
        grads.append([enc(x) for x in gs])
        params.append([enc(p0), enc(p1)])
    out['optim'].append({'name': name, 'kwargs': plain(kw), 'init': init, 'grads': grads, 'params': params, 'state_dict': plain(opt.state_dict()), 'repr': repr(opt)})
for name, kw, (oname, okw) in SCHED:
    p = torch.zeros(1, requires_grad=True)
    opt = getattr(optim, oname)([p], **okw)
    sched = getattr(optim.lr_scheduler, name)(opt, **kw)
    lrs, moms = [], []
    for e in range(15):
        lrs.append(opt.param_groups[0]['lr'])
        grp = opt.param_groups[0]
        moms.append(grp['betas'][0] if 'betas' in grp else grp.get('momentum'))
        opt.step()
        sched.step()
    out['sched'].append({'name': name, 'kwargs': plain(kw), 'optimizer': [oname, plain(okw)], 'lr': lrs, 'momentum': moms})
print(json.dumps(out))
