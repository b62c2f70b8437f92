import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { ImageReadMode, PILImage, decodeImage, openImage, readImage, rgbToL } from '../../lib/vision/image.ts';

const dir = mkdtempSync(join(tmpdir(), 'board-img-'));

function writePng(name: string, w: number, h: number, rgba: number[], colorType: 0 | 2 | 4 | 6): string {
  const png = new PNG({ width: w, height: h });
  png.data = Buffer.from(rgba);
  const path = join(dir, name);
  writeFileSync(path, PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true }));
  return path;
}

// 2x3 RGBA test pattern.
const W = 3;
const H = 2;
const rgba = [10, 20, 30, 255, 40, 50, 60, 128, 70, 80, 90, 255, 100, 110, 120, 255, 130, 140, 150, 0, 160, 170, 180, 255];

describe('readImage', () => {
  it('reads RGB PNG into uint8 [3, H, W]', () => {
    // pngjs composites alpha when writing RGB, so the RGB file is written from opaque pixels.
    const opaque = rgba.map((v, i) => (i % 4 === 3 ? 255 : v));
    const t = readImage(writePng('rgb.png', W, H, opaque, 2));
    expect(t.dtype).toBe('uint8');
    expect(t.shape).toEqual([3, 2, 3]);
    expect(t.tolist()).toEqual([
      [
        [10, 40, 70],
        [100, 130, 160],
      ],
      [
        [20, 50, 80],
        [110, 140, 170],
      ],
      [
        [30, 60, 90],
        [120, 150, 180],
      ],
    ]);
  });

  it('keeps alpha for RGBA PNG and one channel for gray PNG; modes convert', () => {
    const p = writePng('rgba.png', W, H, rgba, 6);
    const t = readImage(p);
    expect(t.shape).toEqual([4, 2, 3]);
    expect((t.tolist() as number[][][])[3]).toEqual([
      [255, 128, 255],
      [255, 0, 255],
    ]);
    expect(readImage(p, ImageReadMode.RGB).shape).toEqual([3, 2, 3]);
    const gray = readImage(p, ImageReadMode.GRAY);
    expect(gray.shape).toEqual([1, 2, 3]);
    expect((gray.tolist() as number[][][])[0][0][0]).toBe(rgbToL(10, 20, 30));
    const g = [0, 0, 0, 255, 50, 50, 50, 255, 100, 100, 100, 255, 150, 150, 150, 255, 200, 200, 200, 255, 250, 250, 250, 255];
    const gp = readImage(writePng('gray.png', W, H, g, 0));
    expect(gp.shape).toEqual([1, 2, 3]);
    expect(gp.tolist()).toEqual([
      [
        [0, 50, 100],
        [150, 200, 250],
      ],
    ]);
    const ga = readImage(writePng('graya.png', W, H, g, 4));
    expect(ga.shape).toEqual([2, 2, 3]);
  });

  it('reads color and grayscale JPEG (lossy: values close to the source)', () => {
    const w = 16;
    const h = 8;
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([200, 100, 50, 255], 4 * i);
    const color = join(dir, 'c.jpg');
    writeFileSync(color, jpeg.encode({ data, width: w, height: h }, 95).data);
    const t = readImage(color);
    expect(t.shape).toEqual([3, 8, 16]);
    const px = (t.tolist() as number[][][]).map((c) => c[4][8]);
    expect(Math.abs(px[0] - 200)).toBeLessThan(6);
    expect(Math.abs(px[1] - 100)).toBeLessThan(6);
    expect(Math.abs(px[2] - 50)).toBeLessThan(6);
    expect(openImage(color).mode).toBe('RGB');
  });

  it('explains unreadable files', () => {
    const bad = join(dir, 'bad.png');
    writeFileSync(bad, 'hello world');
    expect(() => readImage(bad)).toThrow(/bad\.png is neither PNG nor JPEG \(first bytes: 68 65 6c 6c\)/);
    const trunc = join(dir, 'trunc.png');
    writeFileSync(trunc, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    expect(() => readImage(trunc)).toThrow(/cannot decode PNG .*trunc\.png/);
    expect(() => readImage(join(dir, 'missing.png'))).toThrow(/cannot read .*missing\.png/);
    expect(() => decodeImage(new Uint8Array(0))).toThrow(/empty file/);
  });
});

describe('PILImage', () => {
  it('checks sizes and converts modes like PIL', () => {
    expect(() => new PILImage(new Uint8Array(5), 2, 2, 'L')).toThrow(/needs 4 bytes, got 5/);
    const img = PILImage.fromArray([255, 0, 0, 0, 255, 0], [1, 2, 3]);
    expect(img.mode).toBe('RGB');
    expect(img.size).toEqual([2, 1]);
    expect(Array.from(img.convert('L').data)).toEqual([76, 150]);
    expect(Array.from(img.convert('L').convert('RGB').data)).toEqual([76, 76, 76, 150, 150, 150]);
  });
});
