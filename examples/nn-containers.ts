// Tutorial 4.3.2-4.4.3: the containers and parameter holders, printed as PyTorch prints them: a model whose layer is a
// Sequential of Conv2d/ReLU, ModuleList, ModuleDict, Parameter attributes (named_parameters skips a plain tensor
// attribute), ParameterList and ParameterDict.
// Run: npx tsx --conditions=board-source examples/nn-containers.ts
import { pathToFileURL } from 'node:url';
import { nn, tensor, type Tensor } from 'board';

class SeqNet extends nn.Module {
  declare layer: nn.Sequential;
  constructor(_inChannel: number, _outChannel: number) {
    super();
    this.layer = new nn.Sequential(new nn.Conv2d(1, 20, 5), new nn.ReLU(), new nn.Conv2d(20, 64, 5), new nn.ReLU());
  }
  override forward(x: Tensor): Tensor {
    return this.layer.call(x);
  }
}

class ListModel extends nn.Module {
  declare layers: nn.ModuleList;
  constructor() {
    super();
    this.layers = new nn.ModuleList([new nn.Linear(10, 20), new nn.ReLU(), new nn.Linear(20, 10)]);
  }
  override forward(x: Tensor): Tensor {
    for (const layer of this.layers) x = layer.call(x);
    return x;
  }
}

class DictModel extends nn.Module {
  declare layers: nn.ModuleDict;
  constructor() {
    super();
    this.layers = new nn.ModuleDict({ linear1: new nn.Linear(10, 20), relu: new nn.ReLU(), linear2: new nn.Linear(20, 10) });
  }
  override forward(x: Tensor): Tensor {
    return this.layers.get('linear2')!.call(this.layers.get('relu')!.call(this.layers.get('linear1')!.call(x)));
  }
}

class ParamNet extends nn.Module {
  declare W: nn.Parameter;
  declare b: nn.Parameter;
  declare c: Tensor;
  constructor() {
    super();
    this.W = new nn.Parameter(tensor.randn([10, 3]));
    this.b = new nn.Parameter(tensor.randn([3]));
    this.c = tensor.Tensor([2, 3]); // a plain tensor attribute: not a parameter
  }
}

class ParamListModel extends nn.Module {
  declare params: nn.ParameterList;
  constructor() {
    super();
    this.params = new nn.ParameterList([new nn.Parameter(tensor.randn([10, 20])), new nn.Parameter(tensor.randn([20, 10]))]);
  }
}

class ParamDictModel extends nn.Module {
  declare params: nn.ParameterDict;
  constructor() {
    super();
    this.params = new nn.ParameterDict({
      weight1: new nn.Parameter(tensor.randn([10, 20])),
      weight2: new nn.Parameter(tensor.randn([20, 10])),
    });
  }
}

export function main(log: (s: string) => void = console.log): void {
  const seq = new SeqNet(2, 10);
  log(String(seq));
  log(`torch.Size([${seq.call(tensor.zeros([1, 1, 12, 12])).shape.join(', ')}])`);
  const list = new ListModel();
  log(String(list));
  log(`torch.Size([${list.call(tensor.zeros([4, 10])).shape.join(', ')}])`);
  const dict = new DictModel();
  log(String(dict));
  log(`torch.Size([${dict.call(tensor.zeros([4, 10])).shape.join(', ')}])`);
  for (const [name, p] of new ParamNet().namedParameters()) log(`${name} : torch.Size([${p.shape.join(', ')}])`);
  log(String(new ParamListModel()));
  log(String(new ParamDictModel()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
