/**
 * Drawing a face crop and its 106 landmarks on a canvas. An enlarged image is drawn unsmoothed (what you see
 * is the resolution the network gets); points are dots coloured by facial part, with a dark rim so they stay
 * visible on light and dark skin alike.
 */
import { GROUPS_106, NUM_POINTS, POINT } from '../../nas/index.ts';

export type PointGroup = 'contour' | 'brows' | 'nose' | 'eyes' | 'pupils' | 'lips';

export const POINT_GROUPS: { id: PointGroup; label: string; colour: string; indices: readonly number[] }[] = [
  { id: 'contour', label: 'contour', colour: '#facc15', indices: GROUPS_106.contour },
  {
    id: 'brows',
    label: 'brows',
    colour: '#fb923c',
    indices: [...GROUPS_106.leftBrow, ...GROUPS_106.rightBrow],
  },
  {
    id: 'nose',
    label: 'nose',
    colour: '#22d3ee',
    indices: [...GROUPS_106.noseBridge, ...GROUPS_106.noseBase],
  },
  {
    id: 'eyes',
    label: 'eyes',
    colour: '#4ade80',
    indices: [...GROUPS_106.leftEye, ...GROUPS_106.rightEye, ...GROUPS_106.eyeCentres],
  },
  { id: 'pupils', label: 'pupils', colour: '#f43f5e', indices: GROUPS_106.pupils },
  {
    id: 'lips',
    label: 'lips',
    colour: '#c084fc',
    indices: [...GROUPS_106.outerLips, ...GROUPS_106.innerLips],
  },
];

export const SINGLE_COLOUR = '#a3e635';

/** Group of each of the 106 points. */
export const GROUP_OF: readonly PointGroup[] = (() => {
  const g = new Array<PointGroup>(NUM_POINTS).fill('contour');
  for (const group of POINT_GROUPS) for (const i of group.indices) g[i] = group.id;
  return g;
})();

export interface PointStyleOptions {
  show: boolean;
  byGroup: boolean;
  hidden: readonly PointGroup[];
  /** a point drawn larger, with a ring (hover in the large view) */
  highlight?: number | null;
}

export interface FaceData {
  /** size * size * 3 RGB */
  rgb: Uint8Array;
  size: number;
  /** 212 normalised values, or null to draw the image only */
  landmarks: Float32Array | null;
}

let tile: HTMLCanvasElement | null = null;

/** Draw `face` filling `canvas`, whose backing store is sized to `cssPx` at the device pixel ratio. */
export function drawFace(
  canvas: HTMLCanvasElement,
  face: FaceData,
  style: PointStyleOptions,
  cssPx: number,
): void {
  const dpr = Math.min(3, globalThis.devicePixelRatio || 1);
  const side = Math.round(cssPx * dpr);
  if (canvas.width !== side || canvas.height !== side) {
    canvas.width = side;
    canvas.height = side;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { size, rgb, landmarks } = face;
  if (size <= 0 || rgb.length < size * size * 3) return;
  tile ??= document.createElement('canvas');
  tile.width = size;
  tile.height = size;
  const tctx = tile.getContext('2d');
  if (!tctx) return;
  const img = tctx.createImageData(size, size);
  for (let i = 0, j = 0; j < size * size * 3; i += 4, j += 3) {
    img.data[i] = rgb[j];
    img.data[i + 1] = rgb[j + 1];
    img.data[i + 2] = rgb[j + 2];
    img.data[i + 3] = 255;
  }
  tctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = side < size; // crisp pixels when enlarging, no aliasing when shrinking
  ctx.drawImage(tile, 0, 0, side, side);
  if (!style.show || !landmarks) return;

  const hidden = new Set(style.hidden);
  const r = Math.max(1.1, cssPx / 95) * dpr;
  ctx.lineWidth = Math.max(0.6, r * 0.35);
  ctx.strokeStyle = 'rgba(15, 23, 42, 0.75)';
  for (const group of POINT_GROUPS) {
    if (hidden.has(group.id)) continue;
    ctx.fillStyle = style.byGroup ? group.colour : SINGLE_COLOUR;
    ctx.beginPath();
    for (const i of group.indices) {
      const x = landmarks[2 * i] * side;
      const y = landmarks[2 * i + 1] * side;
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
  }
  const h = style.highlight;
  if (h != null && h >= 0 && h < NUM_POINTS) {
    ctx.beginPath();
    ctx.arc(landmarks[2 * h] * side, landmarks[2 * h + 1] * side, r * 2.6, 0, 2 * Math.PI);
    ctx.lineWidth = Math.max(1.5, r * 0.7);
    ctx.strokeStyle = 'white';
    ctx.stroke();
  }
}

/** Index of the landmark nearest to (x, y) in normalised coordinates, within `maxDist`, else null. */
export function nearestPoint(landmarks: Float32Array, x: number, y: number, maxDist = 0.04): number | null {
  let best: number | null = null;
  let bestD = maxDist * maxDist;
  for (let i = 0; i < NUM_POINTS; i++) {
    const dx = landmarks[2 * i] - x;
    const dy = landmarks[2 * i + 1] - y;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

const PART_NAMES: Record<keyof typeof GROUPS_106, string> = {
  contour: 'face contour',
  leftBrow: 'left brow',
  rightBrow: 'right brow',
  noseBridge: 'nose bridge',
  noseBase: 'nose base',
  leftEye: 'left eye',
  rightEye: 'right eye',
  eyeCentres: 'eye centre',
  outerLips: 'outer lips',
  innerLips: 'inner lips',
  pupils: 'pupil',
};

const NAMED: Record<number, string> = Object.fromEntries(
  Object.entries(POINT).map(([k, v]) => [v, k.replace(/[A-Z]/g, (c) => ' ' + c.toLowerCase())]),
);

/** "54 · nose bridge (nose tip)": index, part and, for the named points, their name. */
export function describePoint(i: number): string {
  const part = (Object.keys(GROUPS_106) as (keyof typeof GROUPS_106)[]).find((k) =>
    (GROUPS_106[k] as readonly number[]).includes(i),
  );
  return `${i} · ${part ? PART_NAMES[part] : 'point'}${NAMED[i] ? ` (${NAMED[i]})` : ''}`;
}
