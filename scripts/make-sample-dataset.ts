/**
 * Writes datasets/106points-sample/ in the layout of the NNI FBNet example's 106points data
 * ({train_data,test_data}/imgs/*.png + list.txt, each line "<path> <212 normalised landmarks> <pitch yaw roll>",
 * paths relative to the dataset root) from SynthFace-106, so the importer can be tried without the real data.
 *
 *   node --import tsx scripts/make-sample-dataset.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faceSeed, generateFace, encodePng } from '../src/nas/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'datasets', '106points-sample');
const SIZE = 112;
const SPLITS = [
  { dir: 'train_data', count: 24, seed: 106 },
  { dir: 'test_data', count: 8, seed: 601 },
];
const DIFFICULTY = 0.35;

const fmt = (v: number) => Number(v.toFixed(6)).toString();

rmSync(ROOT, { recursive: true, force: true });
let bytes = 0;
for (const { dir, count, seed } of SPLITS) {
  mkdirSync(join(ROOT, dir, 'imgs'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const face = generateFace(faceSeed(seed, i), SIZE, DIFFICULTY);
    const rel = `${dir}/imgs/${String(i).padStart(4, '0')}.png`;
    const png = encodePng(face.image, SIZE, SIZE);
    writeFileSync(join(ROOT, rel), png);
    bytes += png.length;
    const { pitch, yaw, roll } = face.pose;
    lines.push([rel, ...Array.from(face.landmarks, fmt), fmt(pitch), fmt(yaw), fmt(roll)].join(' '));
  }
  const list = lines.join('\n') + '\n';
  writeFileSync(join(ROOT, dir, 'list.txt'), list);
  bytes += list.length;
}
console.log(`wrote ${ROOT} (${(bytes / 1024).toFixed(0)} KiB)`);
