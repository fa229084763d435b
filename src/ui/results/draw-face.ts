/** Draws a validation face with its ground-truth and predicted landmarks on a canvas. */
import type { ViewerSample } from '../../nas/index.ts';

export interface FaceLayers {
  gt: boolean;
  pred: boolean;
  /** Segments from each ground-truth point to its prediction. */
  errors: boolean;
}

export const GT_COLOR = '#16a34a';
export const PRED_COLOR = '#e11d48';
const ERROR_COLOR = 'rgba(245, 158, 11, 0.85)';

const imageCache = new WeakMap<Uint8Array, HTMLCanvasElement>();

/** The RGB bytes as a canvas at their own size (cached per sample). */
function faceCanvas(s: ViewerSample): HTMLCanvasElement {
  let c = imageCache.get(s.image);
  if (c) return c;
  c = document.createElement('canvas');
  c.width = s.size;
  c.height = s.size;
  const data = new ImageData(s.size, s.size);
  for (let i = 0, j = 0; i < s.image.length; i += 3, j += 4) {
    data.data[j] = s.image[i];
    data.data[j + 1] = s.image[i + 1];
    data.data[j + 2] = s.image[i + 2];
    data.data[j + 3] = 255;
  }
  c.getContext('2d')!.putImageData(data, 0, 0);
  imageCache.set(s.image, c);
  return c;
}

export function drawFace(canvas: HTMLCanvasElement, s: ViewerSample, side: number, layers: FaceLayers): void {
  const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
  canvas.width = Math.round(side * dpr);
  canvas.height = Math.round(side * dpr);
  canvas.style.width = `${side}px`;
  canvas.style.height = `${side}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(faceCanvas(s), 0, 0, side, side);
  const r = Math.max(1, side / 110);
  const points = s.gt.length / 2;
  if (layers.errors) {
    ctx.strokeStyle = ERROR_COLOR;
    ctx.lineWidth = Math.max(0.6, r * 0.6);
    ctx.beginPath();
    for (let i = 0; i < points; i++) {
      ctx.moveTo(s.gt[2 * i] * side, s.gt[2 * i + 1] * side);
      ctx.lineTo(s.pred[2 * i] * side, s.pred[2 * i + 1] * side);
    }
    ctx.stroke();
  }
  const dots = (xy: Float32Array, color: string) => {
    ctx.fillStyle = color;
    for (let i = 0; i < points; i++) {
      ctx.beginPath();
      ctx.arc(xy[2 * i] * side, xy[2 * i + 1] * side, r, 0, 2 * Math.PI);
      ctx.fill();
    }
  };
  if (layers.gt) dots(s.gt, GT_COLOR);
  if (layers.pred) dots(s.pred, PRED_COLOR);
}
