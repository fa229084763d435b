/**
 * Minimal PNG codec (8-bit, non-interlaced) for Node-side tooling and tests, plus the bilinear resize that
 * every import path uses. Browsers decode with createImageBitmap; this file stays DOM-free.
 */
import { unzlibSync, zlibSync } from 'fflate';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Encode RGB (w * h * 3) as PNG; each row gets the filter with the smallest sum of |residual| (libpng's heuristic). */
export function encodePng(
  rgb: Uint8Array,
  w: number,
  h: number,
  level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 9,
): Uint8Array {
  if (rgb.length !== w * h * 3) throw new Error(`encodePng: expected ${w * h * 3} bytes, got ${rgb.length}`);
  const stride = w * 3;
  const raw = new Uint8Array(h * (stride + 1));
  const cand = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < h; y++) {
    const row = y * stride;
    const prev = row - stride;
    let bestScore = Infinity;
    let bestFilter = 0;
    for (let f = 0; f < 5; f++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const x = rgb[row + i];
        const a = i >= 3 ? rgb[row + i - 3] : 0;
        const b = y > 0 ? rgb[prev + i] : 0;
        const c = i >= 3 && y > 0 ? rgb[prev + i - 3] : 0;
        const pred = f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const r = (x - pred) & 0xff;
        cand[i] = r;
        score += r < 128 ? r : 256 - r;
      }
      if (score < bestScore) {
        bestScore = score;
        bestFilter = f;
        best.set(cand);
      }
    }
    raw[y * (stride + 1)] = bestFilter;
    raw.set(best, y * (stride + 1) + 1);
  }
  const idat = zlibSync(raw, { level });
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type 2 (RGB), deflate, adaptive filter, no interlace
  const chunks: [string, Uint8Array][] = [
    ['IHDR', ihdr],
    ['IDAT', idat],
    ['IEND', new Uint8Array(0)],
  ];
  const total = 8 + chunks.reduce((s, [, d]) => s + 12 + d.length, 0);
  const out = new Uint8Array(total);
  const ov = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let o = 8;
  for (const [type, data] of chunks) {
    ov.setUint32(o, data.length);
    for (let k = 0; k < 4; k++) out[o + 4 + k] = type.charCodeAt(k);
    out.set(data, o + 8);
    ov.setUint32(o + 8 + data.length, crc32(out, o + 4, o + 8 + data.length));
    o += 12 + data.length;
  }
  return out;
}

export interface DecodedImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Decode an 8-bit non-interlaced PNG (grey, grey+alpha, RGB, RGBA; alpha dropped) to RGB. */
export function decodePng(bytes: Uint8Array): DecodedImage {
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) throw new Error('decodePng: not a PNG file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Uint8Array[] = [];
  while (o + 12 <= bytes.length) {
    const len = dv.getUint32(o);
    const type = String.fromCharCode(bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]);
    const data = bytes.subarray(o + 8, o + 8 + len);
    if (o + 12 + len > bytes.length) throw new Error('decodePng: truncated chunk');
    if (crc32(bytes, o + 4, o + 8 + len) !== dv.getUint32(o + 8 + len))
      throw new Error(`decodePng: bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = dv.getUint32(o + 8);
      height = dv.getUint32(o + 12);
      const depth = data[8];
      colorType = data[9];
      if (depth !== 8) throw new Error(`decodePng: bit depth ${depth} not supported`);
      if (data[12] !== 0) throw new Error('decodePng: interlaced PNG not supported');
      if (![0, 2, 4, 6].includes(colorType))
        throw new Error(`decodePng: colour type ${colorType} not supported`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    o += 12 + len;
  }
  if (!width || !height || colorType < 0 || idat.length === 0)
    throw new Error('decodePng: missing IHDR or IDAT');
  const joined = new Uint8Array(idat.reduce((s, d) => s + d.length, 0));
  let p = 0;
  for (const d of idat) {
    joined.set(d, p);
    p += d.length;
  }
  const raw = unzlibSync(joined);
  const bpp = colorType === 0 ? 1 : colorType === 4 ? 2 : colorType === 2 ? 3 : 4;
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error('decodePng: image data too short');
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? px[row + i - bpp] : 0;
      const b = y > 0 ? px[row - stride + i] : 0;
      const c = i >= bpp && y > 0 ? px[row - stride + i - bpp] : 0;
      const pred =
        f === 0 ? 0 : f === 1 ? a : f === 2 ? b : f === 3 ? (a + b) >> 1 : f === 4 ? paeth(a, b, c) : -1;
      if (pred < 0) throw new Error(`decodePng: bad filter ${f}`);
      px[row + i] = (raw[src + i] + pred) & 0xff;
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    if (bpp >= 3) {
      rgb[3 * i] = px[bpp * i];
      rgb[3 * i + 1] = px[bpp * i + 1];
      rgb[3 * i + 2] = px[bpp * i + 2];
    } else rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = px[bpp * i];
  }
  return { rgb, width, height };
}

/** 1D resampling weights: linear interpolation when enlarging, a triangle filter as wide as the scale when
 *  shrinking (so large photos do not alias). Pixel centres are aligned (align_corners = false). */
function weights(
  src: number,
  dst: number,
): { start: Int32Array; count: Int32Array; w: Float32Array; taps: number } {
  const scale = src / dst;
  const support = Math.max(1, scale);
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const w = new Float32Array(dst * taps);
  for (let i = 0; i < dst; i++) {
    const centre = (i + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.floor(centre - support) + 1);
    const hi = Math.min(src - 1, Math.ceil(centre + support) - 1);
    let sum = 0;
    let n = 0;
    for (let j = lo; j <= hi && n < taps; j++) {
      const k = Math.max(0, 1 - Math.abs(j - centre) / support);
      w[i * taps + n] = k;
      sum += k;
      n++;
    }
    if (sum === 0) {
      // centre outside the image: take the nearest edge pixel
      start[i] = Math.min(src - 1, Math.max(0, Math.round(centre)));
      count[i] = 1;
      w[i * taps] = 1;
      continue;
    }
    for (let q = 0; q < n; q++) w[i * taps + q] /= sum;
    start[i] = lo;
    count[i] = n;
  }
  return { start, count, w, taps };
}

/** Resize RGB sw x sh -> dw x dh (bilinear; area-aware when shrinking). Returns a new array. */
export function resizeRgb(src: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (sw === dw && sh === dh) return src.slice();
  const hx = weights(sw, dw);
  const hy = weights(sh, dh);
  const tmp = new Float32Array(sh * dw * 3);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const s = hx.start[x];
      for (let q = 0; q < hx.count[x]; q++) {
        const k = hx.w[x * hx.taps + q];
        const o = (y * sw + s + q) * 3;
        r += k * src[o];
        g += k * src[o + 1];
        b += k * src[o + 2];
      }
      const t = (y * dw + x) * 3;
      tmp[t] = r;
      tmp[t + 1] = g;
      tmp[t + 2] = b;
    }
  }
  const out = new Uint8Array(dh * dw * 3);
  for (let y = 0; y < dh; y++) {
    const s = hy.start[y];
    for (let x = 0; x < dw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let q = 0; q < hy.count[y]; q++) {
        const k = hy.w[y * hy.taps + q];
        const o = ((s + q) * dw + x) * 3;
        r += k * tmp[o];
        g += k * tmp[o + 1];
        b += k * tmp[o + 2];
      }
      const t = (y * dw + x) * 3;
      out[t] = r < 0 ? 0 : r > 255 ? 255 : Math.round(r);
      out[t + 1] = g < 0 ? 0 : g > 255 ? 255 : Math.round(g);
      out[t + 2] = b < 0 ? 0 : b > 255 ? 255 : Math.round(b);
    }
  }
  return out;
}
