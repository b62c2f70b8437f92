// Dataset readers over files generated here in the exact formats, the shipped subset, and the
// real Fashion-MNIST when Debian's dataset-fashion-mnist is installed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../lib/engine/index.ts';
import { DataLoader } from '../../lib/data/dataloader.ts';
import { PILImage } from '../../lib/vision/image.ts';
import { CIFAR10 } from '../../lib/vision/datasets/cifar.ts';
import { md5Hex } from '../../lib/vision/datasets/download.ts';
import { encodeIdxUint8 } from '../../lib/vision/datasets/idx.ts';
import { FashionMNIST, MNIST } from '../../lib/vision/datasets/mnist.ts';
import { createTar } from '../../lib/vision/datasets/tar.ts';
import { ToTensor } from '../../lib/vision/transforms/transforms.ts';
import { FIXTURES } from '../helpers/shared.ts';

const REAL = '/usr/share/datasets/fashion-mnist';
const HAS_REAL = existsSync(join(REAL, 'train-images-idx3-ubyte.gz'));
if (!HAS_REAL)
  console.warn(`[board tests] ${REAL} not found (apt-get install dataset-fashion-mnist): skipping the full Fashion-MNIST checks`);

/** Writes an IDX split of n images (rows x cols) whose pixel values encode (image, position). */
function writeSplit(
  dir: string,
  prefix: 'train' | 't10k',
  n: number,
  rows: number,
  cols: number,
  gz: boolean,
): { images: Uint8Array; labels: Uint8Array } {
  mkdirSync(dir, { recursive: true });
  const images = Uint8Array.from({ length: n * rows * cols }, (_, i) => (i * 13 + 7) & 255);
  const labels = Uint8Array.from({ length: n }, (_, i) => (i * 3) % 10);
  const enc = (b: Uint8Array) => (gz ? gzipSync(b) : b);
  const ext = gz ? '.gz' : '';
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${ext}`), enc(encodeIdxUint8(images, [n, rows, cols])));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), enc(encodeIdxUint8(labels, [n])));
  return { images, labels };
}

describe('MNIST / FashionMNIST (IDX)', () => {
  it('reads gzipped files from root/FashionMNIST/raw and plain files from root', () => {
    const root = mkdtempSync(join(tmpdir(), 'board-fm-'));
    const train = writeSplit(join(root, 'FashionMNIST', 'raw'), 'train', 5, 4, 3, true);
    writeSplit(root, 't10k', 2, 4, 3, false);
    const ds = new FashionMNIST({ root, searchSystemDirs: false });
    expect(ds.length).toBe(5);
    const [img, label] = ds.getItem(3);
    expect(img).toBeInstanceOf(PILImage);
    expect((img as PILImage).mode).toBe('L');
    expect((img as PILImage).size).toEqual([3, 4]);
    expect(Array.from((img as PILImage).data)).toEqual(Array.from(train.images.subarray(3 * 12, 4 * 12)));
    expect(label).toBe(train.labels[3]);
    expect(ds.data.shape).toEqual([5, 4, 3]);
    expect(ds.targets.dtype).toBe('int64');
    expect(ds.targets.tolist()).toEqual(Array.from(train.labels));
    const test = new FashionMNIST({
      root,
      train: false,
      searchSystemDirs: false,
      transform: new ToTensor(),
      targetTransform: (y: number) => y + 100,
    });
    const [x, y] = test.getItem(1);
    expect((x as Tensor).shape).toEqual([1, 4, 3]);
    expect((x as Tensor).dtype).toBe('float32');
    expect(y).toBe(103);
    expect(String(test)).toContain('Dataset FashionMNIST\n    Number of datapoints: 2');
    expect(String(test)).toContain('Split: Test');
    expect(() => test.getItem(2)).toThrow(/index 2 is out of range for a dataset of length 2/);
  });

  it('names classes as torchvision does', () => {
    expect(FashionMNIST.classes).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    expect(FashionMNIST.classToIdx['Ankle boot']).toBe(9);
    expect(MNIST.classes[3]).toBe('3 - three');
  });

  it('says what to install or where to put which files when nothing is found', () => {
    const root = mkdtempSync(join(tmpdir(), 'board-fm-'));
    let msg = '';
    try {
      new FashionMNIST({ root, searchSystemDirs: false });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/FashionMNIST: dataset not found\. Missing train-images-idx3-ubyte\(\.gz\) and train-labels-idx1-ubyte\(\.gz\)/);
    expect(msg).toContain('sudo apt-get install dataset-fashion-mnist');
    expect(msg).toContain('/usr/share/datasets/fashion-mnist');
    expect(msg).toContain('download: true');
    expect(msg).toContain(`into ${join(root, 'FashionMNIST', 'raw')}/`);
    expect(msg).toContain('t10k-labels-idx1-ubyte.gz');
    expect(() => new MNIST({ root })).toThrow(/^MNIST: dataset not found(?![\s\S]*apt-get)/);
  });

  it('rejects inconsistent or corrupt files, naming them', () => {
    const root = mkdtempSync(join(tmpdir(), 'board-fm-'));
    writeSplit(root, 'train', 4, 2, 2, false);
    writeFileSync(join(root, 'train-labels-idx1-ubyte'), encodeIdxUint8(new Uint8Array(3), [3]));
    expect(() => new MNIST({ root })).toThrow(/has 4 images but .*train-labels-idx1-ubyte has 3 labels/);
    writeFileSync(join(root, 'train-images-idx3-ubyte'), encodeIdxUint8(new Uint8Array(4), [4]));
    expect(() => new MNIST({ root })).toThrow(/train-images-idx3-ubyte: expected a uint8 IDX array of shape \[N, rows, cols\]/);
  });

  it('reads the Fashion-MNIST subset that ships in test/fixtures', () => {
    const root = join(FIXTURES, 'fashion-mini');
    const train = new FashionMNIST({ root, searchSystemDirs: false });
    const test = new FashionMNIST({ root, train: false, searchSystemDirs: false });
    expect(train.length).toBe(3000);
    expect(test.length).toBe(1000);
    // The first records of the real files: labels 9 0 0 3 0 ... and 9 2 1 1 6 ...
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([9, 0, 0, 3, 0]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
    const sum = train.images.subarray(0, 784).reduce((a, b) => a + b, 0);
    expect(sum).toBe(76247);
  });

  it.skipIf(!HAS_REAL)('reads the real Fashion-MNIST from /usr/share/datasets/fashion-mnist', () => {
    const empty = mkdtempSync(join(tmpdir(), 'board-fm-'));
    const train = new FashionMNIST({ root: empty });
    const test = new FashionMNIST({ root: empty, train: false, transform: new ToTensor() });
    expect(train.files.images).toBe(join(REAL, 'train-images-idx3-ubyte.gz'));
    expect(train.length).toBe(60000);
    expect(test.length).toBe(10000);
    const counts = new Array(10).fill(0);
    for (const l of train.labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(6000));
    const [x, y] = test.getItem(0);
    expect((x as Tensor).shape).toEqual([1, 28, 28]);
    expect(y).toBe(9);
    const px = (x as Tensor).dataSync();
    expect(Math.max(...px)).toBeLessThanOrEqual(1);
    expect(Math.max(...px)).toBeGreaterThan(0.9);
  });

  it('loads in DataLoader worker threads exactly as on the main thread', async () => {
    const ds = new FashionMNIST({ root: join(FIXTURES, 'fashion-mini'), train: false, transform: new ToTensor(), searchSystemDirs: false });
    const main = [...new DataLoader(ds, { batchSize: 100 })] as [Tensor, Tensor][];
    const loader = new DataLoader(ds, { batchSize: 100, numWorkers: 2 });
    let k = 0;
    for await (const [x, y] of loader as AsyncIterable<[Tensor, Tensor]>) {
      expect(x.shape).toEqual([100, 1, 28, 28]);
      expect(y.tolist()).toEqual(main[k][1].tolist());
      expect(Array.from(x.dataSync().subarray(0, 2000))).toEqual(Array.from(main[k][0].dataSync().subarray(0, 2000)));
      k++;
    }
    expect(k).toBe(10);
  });
});

/** CIFAR-10 binary records: label byte, then 1024 R, 1024 G, 1024 B. */
function cifarBatch(labels: number[], seed: number): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((l, r) => {
    out[r * 3073] = l;
    for (let i = 0; i < 3072; i++) out[r * 3073 + 1 + i] = (i * 7 + seed * 31 + r) & 255;
  });
  return out;
}

describe('CIFAR10 (binary version)', () => {
  function writeCifar(root: string): void {
    const dir = join(root, 'cifar-10-batches-bin');
    mkdirSync(dir, { recursive: true });
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarBatch([b, (b + 1) % 10], b));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBatch([3, 8, 0], 9));
  }

  it('reads train and test batches into RGB images and labels', () => {
    const root = mkdtempSync(join(tmpdir(), 'board-cifar-'));
    writeCifar(root);
    const train = new CIFAR10({ root });
    expect(train.length).toBe(10);
    expect(train.targets).toEqual([1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    const test = new CIFAR10({ root, train: false, transform: new ToTensor() });
    expect(test.length).toBe(3);
    const [img, label] = new CIFAR10({ root, train: false }).getItem(1);
    expect(label).toBe(8);
    const p = img as PILImage;
    expect(p.mode).toBe('RGB');
    // Pixel (0, 1): R from plane offset 1, G from 1024 + 1, B from 2048 + 1.
    const rec = cifarBatch([3, 8, 0], 9).subarray(3073, 2 * 3073);
    expect(Array.from(p.data.subarray(3, 6))).toEqual([rec[1 + 1], rec[1 + 1024 + 1], rec[1 + 2048 + 1]]);
    const [x] = test.getItem(0);
    expect((x as Tensor).shape).toEqual([3, 32, 32]);
    expect(train.classes[0]).toBe('airplane');
    expect(train.classToIdx.truck).toBe(9);
    expect(train.data.shape).toEqual([10, 32, 32, 3]);
  });

  it('explains missing, truncated and corrupt batches', () => {
    const root = mkdtempSync(join(tmpdir(), 'board-cifar-'));
    expect(() => new CIFAR10({ root })).toThrow(/CIFAR10: dataset not found\. Missing data_batch_1\.bin.*[\s\S]*cifar-10-binary\.tar\.gz/);
    writeCifar(root);
    writeFileSync(join(root, 'cifar-10-batches-bin', 'test_batch.bin'), new Uint8Array(3073 + 10));
    expect(() => new CIFAR10({ root, train: false })).toThrow(/test_batch\.bin: size 3083 is not a multiple of the 3073-byte CIFAR record/);
    const bad = cifarBatch([3], 1);
    bad[0] = 42;
    writeFileSync(join(root, 'cifar-10-batches-bin', 'test_batch.bin'), bad);
    expect(() => new CIFAR10({ root, train: false })).toThrow(/bad label 42 in record 0/);
  });
});

describe('download: true (local server on 127.0.0.1, no internet)', () => {
  let serveDir = '';
  let base = '';
  let server: ReturnType<typeof spawn> | null = null;

  beforeAll(async () => {
    serveDir = mkdtempSync(join(tmpdir(), 'board-serve-'));
    // The server runs in a child process: dataset constructors download synchronously (spawnSync),
    // which blocks this process's event loop.
    const code = `const http=require('http'),fs=require('fs'),path=require('path');const dir=process.argv[1];
      const s=http.createServer((q,r)=>{const p=path.join(dir,path.basename(q.url));if(!fs.existsSync(p)){r.writeHead(404);return r.end();}
      const b=fs.readFileSync(p);r.writeHead(200,{'content-length':b.length});r.end(b);});
      s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;
    server = spawn(process.execPath, ['-e', code, serveDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((r) => server!.stdout!.once('data', (d: Buffer) => r(d.toString().trim())));
    base = `http://127.0.0.1:${port}/`;
  });
  afterAll(() => {
    server?.kill();
  });

  it('fetches, verifies and reads the files; a wrong checksum or a dead mirror fails clearly', () => {
    const files: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte.gz': gzipSync(encodeIdxUint8(new Uint8Array(2 * 4), [2, 2, 2])),
      'train-labels-idx1-ubyte.gz': gzipSync(encodeIdxUint8(Uint8Array.of(4, 7), [2])),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(serveDir, name), bytes);
    class LocalFashion extends FashionMNIST {
      static override mirrors = [base];
      static override resources: Array<[string, string]> = Object.entries(files).map(([n, b]) => [n, md5Hex(b)]);
    }
    const root = mkdtempSync(join(tmpdir(), 'board-dl-'));
    const ds = new LocalFashion({ root, download: true, searchSystemDirs: false });
    expect(ds.length).toBe(2);
    expect(ds.getItem(1)[1]).toBe(7);
    expect(readFileSync(join(root, 'LocalFashion', 'raw', 'train-labels-idx1-ubyte.gz')).length).toBeGreaterThan(0);
    // Present files are used without downloading again.
    expect(new LocalFashion({ root, searchSystemDirs: false }).length).toBe(2);

    class WrongSum extends LocalFashion {
      static override resources: Array<[string, string]> = Object.keys(files).map((n) => [n, '0'.repeat(32)]);
    }
    const root2 = mkdtempSync(join(tmpdir(), 'board-dl-'));
    expect(() => new WrongSum({ root: root2, download: true, searchSystemDirs: false })).toThrow(
      /checksum mismatch \(expected MD5 0{32}, got [0-9a-f]{32}\)/,
    );
    expect(existsSync(join(root2, 'WrongSum', 'raw', 'train-images-idx3-ubyte.gz'))).toBe(false);

    class Offline extends FashionMNIST {
      static override mirrors = ['http://127.0.0.1:9/'];
    }
    expect(() => new Offline({ root: root2, download: true, searchSystemDirs: false })).toThrow(
      /could not download train-images-idx3-ubyte\.gz:\s+download of http:\/\/127\.0\.0\.1:9\/train-images-idx3-ubyte\.gz failed/,
    );
  });

  it('CIFAR10 downloads and unpacks the binary archive', () => {
    const members = [1, 2, 3, 4, 5].map((b) => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarBatch([b], b) }));
    members.push({ name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch([7, 7], 0) });
    const archive = gzipSync(createTar(members));
    writeFileSync(join(serveDir, 'cifar-10-binary.tar.gz'), archive);
    class LocalCifar extends CIFAR10 {
      static override mirrors = [base];
      static override archive: [string, string] = ['cifar-10-binary.tar.gz', md5Hex(archive)];
    }
    const root = mkdtempSync(join(tmpdir(), 'board-dl-'));
    const ds = new LocalCifar({ root, train: false, download: true });
    expect(ds.length).toBe(2);
    expect(ds.targets).toEqual([7, 7]);
  });
});
