/**
 * A tiny anti-aliased software rasteriser for the synthetic faces: polygons (ellipses are polygons) are
 * turned into per-pixel coverage with exact horizontal coverage on 4 sub-rows per pixel row, then blended
 * into a float RGB canvas. Coordinates are continuous: pixel (i, j) covers [i, i+1) x [j, j+1).
 */

const SUB = 4;

/** Linear-gradient paint: colour * clamp(1 + gx (x - cx) + gy (y - cy)), the cheap way to light a face. */
export interface Paint {
  r: number;
  g: number;
  b: number;
  gx?: number;
  gy?: number;
  cx?: number;
  cy?: number;
}

export interface BBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export class Canvas {
  readonly data: Float32Array;
  /** Scratch coverage buffer (w * h), kept zero outside of a draw call. */
  readonly cov: Float32Array;
  private xsScratch = new Float64Array(64);

  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.data = new Float32Array(w * h * 3);
    this.cov = new Float32Array(w * h);
  }

  /** Coverage of polygon (xs, ys) into `cov` (cleared inside the returned bbox first). Null when off-canvas. */
  coverage(
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    n: number,
    cov: Float32Array = this.cov,
  ): BBox | null {
    const { w, h } = this;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      if (xs[i] < minX) minX = xs[i];
      if (xs[i] > maxX) maxX = xs[i];
      if (ys[i] < minY) minY = ys[i];
      if (ys[i] > maxY) maxY = ys[i];
    }
    const x0 = Math.max(0, Math.floor(minX));
    const x1 = Math.min(w, Math.ceil(maxX));
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(h, Math.ceil(maxY));
    if (!(x1 > x0 && y1 > y0)) return null;
    for (let y = y0; y < y1; y++) cov.fill(0, y * w + x0, y * w + x1);
    if (this.xsScratch.length < n) this.xsScratch = new Float64Array(2 * n);
    const cross = this.xsScratch;
    const wsub = 1 / SUB;
    for (let y = y0; y < y1; y++) {
      const rowBase = y * w;
      for (let k = 0; k < SUB; k++) {
        const sy = y + (k + 0.5) * wsub;
        let m = 0;
        for (let i = 0, j = n - 1; i < n; j = i++) {
          const ya = ys[j];
          const yb = ys[i];
          if ((ya <= sy && sy < yb) || (yb <= sy && sy < ya)) {
            const x = xs[j] + ((sy - ya) * (xs[i] - xs[j])) / (yb - ya);
            // insertion sort keeps the few crossings ordered
            let p = m++;
            while (p > 0 && cross[p - 1] > x) {
              cross[p] = cross[p - 1];
              p--;
            }
            cross[p] = x;
          }
        }
        for (let p = 0; p + 1 < m; p += 2) {
          const xa = Math.max(0, cross[p]);
          const xb = Math.min(w, cross[p + 1]);
          if (xb <= xa) continue;
          const ia = Math.floor(xa);
          const ib = Math.floor(xb);
          if (ia === ib) {
            cov[rowBase + ia] += (xb - xa) * wsub;
          } else {
            cov[rowBase + ia] += (ia + 1 - xa) * wsub;
            for (let q = ia + 1; q < ib; q++) cov[rowBase + q] += wsub;
            if (ib < w) cov[rowBase + ib] += (xb - ib) * wsub;
          }
        }
      }
    }
    return { x0, y0, x1, y1 };
  }

  /** Blend `paint` with opacity `alpha * cov` (times `mask` when given) inside `bb`. */
  paint(bb: BBox, paint: Paint, alpha = 1, cov: Float32Array = this.cov, mask?: Float32Array): void {
    const { w, data } = this;
    const gx = paint.gx ?? 0;
    const gy = paint.gy ?? 0;
    const cx = paint.cx ?? 0;
    const cy = paint.cy ?? 0;
    for (let y = bb.y0; y < bb.y1; y++) {
      for (let x = bb.x0; x < bb.x1; x++) {
        const idx = y * w + x;
        let a = cov[idx] * alpha;
        if (mask) a *= mask[idx];
        if (a <= 0) continue;
        if (a > 1) a = 1;
        let f = 1 + gx * (x + 0.5 - cx) + gy * (y + 0.5 - cy);
        f = f < 0.25 ? 0.25 : f > 1.75 ? 1.75 : f;
        const o = idx * 3;
        data[o] += (paint.r * f - data[o]) * a;
        data[o + 1] += (paint.g * f - data[o + 1]) * a;
        data[o + 2] += (paint.b * f - data[o + 2]) * a;
      }
    }
  }

  fillPolygon(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, paint: Paint, alpha = 1): void {
    const bb = this.coverage(xs, ys, n);
    if (bb) this.paint(bb, paint, alpha);
  }

  fillEllipse(cx: number, cy: number, rx: number, ry: number, angle: number, paint: Paint, alpha = 1): void {
    const { xs, ys } = ellipsePolygon(cx, cy, rx, ry, angle);
    this.fillPolygon(xs, ys, xs.length, paint, alpha);
  }

  /** Fill the whole canvas with a gradient paint. */
  clear(paint: Paint): void {
    this.fillPolygon([0, this.w, this.w, 0], [0, 0, this.h, this.h], 4, paint);
  }
}

/** Polygon approximating a rotated ellipse; segment count grows with size so small ones stay cheap. */
export function ellipsePolygon(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  angle = 0,
  segments = Math.max(12, Math.min(48, Math.ceil(2 * (Math.abs(rx) + Math.abs(ry))))),
): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(segments);
  const ys = new Float64Array(segments);
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  for (let i = 0; i < segments; i++) {
    const t = (2 * Math.PI * i) / segments;
    const ex = rx * Math.cos(t);
    const ey = ry * Math.sin(t);
    xs[i] = cx + ex * ca - ey * sa;
    ys[i] = cy + ex * sa + ey * ca;
  }
  return { xs, ys };
}

/** Separable [1 2 1]/4 blur, `passes` times (edges clamped). */
export function blur121(data: Float32Array, w: number, h: number, passes: number): void {
  if (passes <= 0) return;
  const tmp = new Float32Array(data.length);
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const xl = x > 0 ? x - 1 : 0;
        const xr = x < w - 1 ? x + 1 : w - 1;
        for (let c = 0; c < 3; c++) {
          tmp[(y * w + x) * 3 + c] =
            0.25 * data[(y * w + xl) * 3 + c] +
            0.5 * data[(y * w + x) * 3 + c] +
            0.25 * data[(y * w + xr) * 3 + c];
        }
      }
    }
    for (let y = 0; y < h; y++) {
      const yu = y > 0 ? y - 1 : 0;
      const yd = y < h - 1 ? y + 1 : h - 1;
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          data[(y * w + x) * 3 + c] =
            0.25 * tmp[(yu * w + x) * 3 + c] +
            0.5 * tmp[(y * w + x) * 3 + c] +
            0.25 * tmp[(yd * w + x) * 3 + c];
        }
      }
    }
  }
}
