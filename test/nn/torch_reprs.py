"""Reference reprs and state_dict keys for test/nn/torch-reprs.test.ts.
Usage: /usr/bin/python3 test/nn/torch_reprs.py < test/fixtures/nn/torch-reprs.specs.json > test/fixtures/nn/torch-reprs.json
"""
import json, sys, warnings
import torch
from torch import nn

warnings.simplefilter('ignore')
out = []
for e in json.load(sys.stdin):
    m = eval(e)
    out.append({'expr': e, 'repr': repr(m), 'keys': [[k, list(v.shape)] for k, v in m.state_dict().items()]})
print(json.dumps(out, indent=0))
