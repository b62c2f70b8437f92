// Tutorial 4.2.2 (pooling layers): MaxPool2d(2, stride=2) on an RGB image. The image becomes an (N, C, H, W) batch
// of one, the pooled output is squeezed back to (C, H/2, W/2) and logged with addImage('img_out'), next to the
// input ('img'). The tutorial opens heart.png; pass a PNG/JPEG path to use a file, else a heart is drawn.
// Run: npx tsx --conditions=board-source examples/maxpool-image.ts [logdir] [image.png]
import { pathToFileURL } from 'node:url';
import { SummaryWriter, nn, transforms, vision } from 'board';
import type { Tensor } from 'board';

/** An H x W RGB uint8 image (HWC, as np.array(Image.open(...)) gives): a red heart shaded top to bottom on white. */
export function drawHeart(size = 86): InstanceType<typeof vision.NDArray> {
  const px = new Uint8Array(size * size * 3).fill(255);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      // The heart curve (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0 over x in [-1.5, 1.5], y in [-1.5, 1.5] (y up).
      const x = ((c + 0.5) / size) * 3 - 1.5;
      const y = 1.5 - ((r + 0.5) / size) * 3;
      const f = (x * x + y * y - 1) ** 3 - x * x * y ** 3;
      if (f <= 0) {
        const o = (r * size + c) * 3;
        px[o] = 255 - Math.floor((r * 120) / size);
        px[o + 1] = (r * 7 + c * 3) % 40;
        px[o + 2] = 40 + Math.floor((c * 80) / size);
      }
    }
  }
  return new vision.NDArray(px, [size, size, 3]);
}

export function main(logdir = 'log', imagePath?: string, log: (s: string) => void = console.log): { input: Tensor; output: Tensor } {
  // 1. Read the image as an HWC uint8 array.
  const img = imagePath ? vision.openImage(imagePath, 'RGB') : drawHeart();
  const [h, w] = imagePath ? [(img as vision.PILImage).height, (img as vision.PILImage).width] : (img as vision.NDArray).shape;
  log(`img.shape= (${h}, ${w}, 3)`);
  // 2. To a float CHW tensor in [0, 1], then a batch of one: (N, C, H, W).
  const toTensor = new transforms.ToTensor();
  let imgTensor = toTensor(img as vision.NDArray);
  imgTensor = imgTensor.view([1, 3, h!, w!]);
  // 3. Max pooling with a 2x2 window and stride 2 halves the height and width.
  const maxpool2 = new nn.MaxPool2d(2, { stride: 2 });
  // Without returnIndices the module returns one tensor (its type also covers the (output, indices) pair).
  let imgOut = maxpool2.call(imgTensor) as Tensor;
  log(`img_out.shape= torch.Size([${imgOut.shape.join(', ')}])`);
  imgOut = imgOut.squeeze();
  log(`img_out.shape= torch.Size([${imgOut.shape.join(', ')}])`);
  // 4. Show the result on the board.
  const write = new SummaryWriter(logdir);
  write.addImage('img', imgTensor.squeeze());
  write.addImage('img_out', imgOut);
  write.close();
  return { input: imgTensor, output: imgOut };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv[2], process.argv[3]);
