"""Reference values for test/nn/torch-parity.test.ts: runs each module expression in PyTorch with seeded random
parameters and inputs, backprops random output gradients, and prints inputs, parameters, outputs and gradients as JSON.
Usage: /usr/bin/python3 test/nn/torch_parity.py < specs.json > results.json
"""
import json, sys
import torch
from torch import nn

torch.set_num_threads(1)


def enc(t):
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'data': t.detach().flatten().tolist()}


def flat(o):
    if isinstance(o, torch.Tensor):
        return [o]
    out = []
    for x in o:
        out += flat(x)
    return out


def make(spec, g):
    shape, kind = spec['shape'], spec.get('kind', 'randn')
    if kind == 'int':
        return torch.randint(0, spec['high'], shape, generator=g)
    if kind == 'prob':
        return torch.rand(shape, generator=g) * 0.98 + 0.01
    if kind == 'pm1':
        return torch.randint(0, 2, shape, generator=g).float() * 2 - 1
    t = torch.randn(shape, generator=g)
    return t.requires_grad_(spec.get('grad', True))


results = []
for i, spec in enumerate(json.load(sys.stdin)):
    g = torch.Generator().manual_seed(1000 + i)
    m = eval(spec['expr'])
    with torch.no_grad():
        for k, v in m.state_dict().items():
            if v.is_floating_point() and not k.startswith('running'):
                v.copy_(torch.rand(v.shape, generator=g) - 0.5)
    m.train(spec.get('training', True))
    state = {k: enc(v) for k, v in m.state_dict().items()}
    args = []
    for a in spec['args']:
        args.append([make(x, g) for x in a] if isinstance(a, list) else make(a, g))
    out = m(*args)
    outs = flat(out)
    gos = [torch.randn(o.shape, generator=g) if o.requires_grad else None for o in outs]
    pairs = [(o, go) for o, go in zip(outs, gos) if go is not None]
    if pairs:
        torch.autograd.backward([o for o, _ in pairs], [go for _, go in pairs])
    leaves = []
    for a in args:
        leaves += flat(a) if isinstance(a, list) else [a]
    results.append({
        'expr': spec['expr'],
        'state': state,
        'args': [[enc(x) for x in a] if isinstance(a, list) else enc(a) for a in args],
        'outputs': [enc(o) for o in outs],
        'grad_outputs': [enc(go) if go is not None else None for go in gos],
        'grad_fn': [type(o.grad_fn).__name__ if o.grad_fn is not None else None for o in outs],
        'arg_grads': [enc(t.grad) if t.grad is not None else None for t in leaves],
        'param_grads': {k: enc(p.grad) if p.grad is not None else None for k, p in m.named_parameters()},
        'buffers_after': {k: enc(v) for k, v in m.state_dict().items() if k not in dict(m.named_parameters())},
    })
print(json.dumps(results))
