// Tutorial 6.2.1: what an Optimizer does: step() moves the weight against its gradient, zeroGrad() clears the
// gradient, addParamGroup() adds a group with its own lr, and stateDict() holds the momentum buffers after steps.
// The weight starts at fixed values (the tutorial's randn) so the printed numbers are reproducible.
// Run: npx tsx --conditions=board-source examples/optimizer-walkthrough.ts
import { pathToFileURL } from 'node:url';
import { optim, tensor } from 'board';

export function main(log: (s: string) => void = console.log): void {
  // 1. an optimizer over one weight, lr 0.1
  const weight = tensor(
    [
      [0.5, -1.0],
      [1.5, 2.0],
    ],
    { requiresGrad: true },
  );
  weight.grad = tensor.ones([2, 2]);
  let optimizer = new optim.SGD([weight], { lr: 0.1 });
  // 2. step()
  log(`weight更新前为: ${String(weight.data)}`);
  optimizer.step();
  log(`weight更新后为: ${String(weight.data)}`);
  // 3. zeroGrad(): PyTorch 1.13 zeroes the gradient in place (set_to_none=False)
  log(`weight.grad更新前为: ${String(weight.grad)}`);
  optimizer.zeroGrad();
  log(`weight.grad更新后为: ${String(weight.grad)}`);
  // 4. addParamGroup()
  const groupLines = () => {
    for (const g of optimizer.paramGroups) log(`lr : ${String(g.lr)}, momentum : ${String(g.momentum)}, params : ${g.params.length}`);
  };
  groupLines();
  log('------------------------------------------');
  const bias = tensor.zeros([3, 3], { requiresGrad: true });
  optimizer.addParamGroup({ params: [bias], lr: 0.0001 });
  groupLines();
  // 5. stateDict() before and after 10 momentum steps
  optimizer = new optim.SGD([weight], { lr: 0.1, momentum: 0.9 });
  weight.grad = tensor.ones([2, 2]);
  log(`迭代更新前的状态信息: ${JSON.stringify(optimizer.stateDict().state)}`);
  for (let i = 0; i < 10; i++) optimizer.step();
  const state = optimizer.stateDict().state as Record<string, { momentum_buffer: { tolist(): unknown } }>;
  log(`迭代更新后的状态信息: momentum_buffer ${JSON.stringify(state['0']!.momentum_buffer.tolist())}`);
  log(`weight: ${String(weight.data)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
