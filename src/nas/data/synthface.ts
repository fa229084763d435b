/**
 * SynthFace-106: deterministic synthetic faces with exact 106-point ground truth in the JD-landmark order
 * (landmarks106.ts). A 3D face template (identity + expression parameters) is rotated by yaw/pitch/roll,
 * projected with mild perspective and drawn with the anti-aliased rasteriser: hair, neck, face, brows, eyes
 * with irises and dark pupils, nose, lips, then occluders, blur and noise. Occluders cover landmarks but
 * never move them: the ground truth is where the face part is, seen or not.
 *
 * `difficulty` in [0, 1] widens every random range: 0 is a near-frontal, clean, well-lit face; 1 has
 * +-40 deg yaw, expressions, clutter, occluders, blur and noise. Everything is drawn from one Rng seeded by
 * `seed`, so the same (seed, size, difficulty) gives identical bytes.
 */
import { Rng } from '../rng.ts';
import { Canvas, blur121, ellipsePolygon, type Paint } from './raster.ts';
import { FLIP_106, NUM_COORDS, NUM_POINTS } from './landmarks106.ts';

export interface FacePose {
  /** degrees; positive = looking up */
  pitch: number;
  /** degrees; positive = turned towards the image's right */
  yaw: number;
  /** degrees; positive = clockwise in the image */
  roll: number;
}

export interface SynthFace {
  /** size * size * 3 RGB, row-major */
  image: Uint8Array;
  /** 212 values x0, y0, x1, y1 ... normalised to [0, 1] (x = column / size, continuous coordinates) */
  landmarks: Float32Array;
  pose: FacePose;
}

export interface SynthDataset {
  images: Uint8Array;
  landmarks: Float32Array;
  count: number;
  size: number;
}

export interface SynthDatasetOptions {
  count: number;
  size: number;
  difficulty: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

interface Shape {
  faceW: number;
  chinY: number;
  jaw: number;
  eyeX: number;
  eyeY: number;
  eyeW: number;
  eyeH: number;
  browY: number;
  browT: number;
  noseTip: number;
  noseW: number;
  mouthY: number;
  mouthW: number;
  lipT: number;
}

interface Expression {
  open: number;
  eyeOpen: [number, number];
  browRaise: number;
  smile: number;
  gaze: [number, number];
}

type RGB = [number, number, number];

const TEMPLE_Y = -0.3;
const FOREHEAD_TOP = -1.3;
const FOREHEAD_SEGMENTS = 13;

const SKIN: RGB[] = [
  [255, 226, 200],
  [240, 196, 168],
  [224, 172, 138],
  [196, 136, 100],
  [160, 104, 72],
  [118, 78, 54],
  [86, 58, 42],
];
const HAIR: RGB[] = [
  [22, 18, 16],
  [58, 38, 26],
  [104, 70, 40],
  [170, 130, 80],
  [200, 170, 110],
  [130, 60, 30],
  [150, 150, 150],
];
const IRIS: RGB[] = [
  [52, 34, 24],
  [84, 56, 34],
  [100, 84, 48],
  [72, 94, 64],
  [62, 92, 130],
  [92, 102, 112],
];
const PUPIL: RGB = [10, 8, 8];

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
const rgbMix = (a: RGB, b: RGB, t: number): RGB => [
  lerp(a[0], b[0], t),
  lerp(a[1], b[1], t),
  lerp(a[2], b[2], t),
];
const scaleRgb = (c: RGB, f: number): RGB => [c[0] * f, c[1] * f, c[2] * f];

/** Seed of face `index` in a dataset: a hash, so any face can be regenerated on its own. */
export function faceSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function drawShape(rng: Rng, d: number): Shape {
  const v = (lo: number, hi: number) => rng.uniform(lo, hi);
  const spread = 0.5 + 0.5 * d; // identity varies at every difficulty, more at high ones
  const j = (mid: number, half: number) => mid + (2 * rng.next() - 1) * half * spread;
  return {
    faceW: j(1, 0.07),
    chinY: j(1.05, 0.08),
    jaw: v(2.1, 3.2),
    eyeX: j(0.42, 0.04),
    eyeY: j(-0.3, 0.03),
    eyeW: j(0.19, 0.025),
    eyeH: j(0.085, 0.015),
    browY: j(-0.61, 0.04),
    browT: j(0.075, 0.025),
    noseTip: j(0.16, 0.04),
    noseW: j(0.2, 0.03),
    mouthY: j(0.62, 0.05),
    mouthW: j(0.35, 0.05),
    lipT: j(0.095, 0.025),
  };
}

function drawExpression(rng: Rng, d: number): Expression {
  const wink = rng.next() < 0.15 * d;
  const lid = () => 1 - 0.65 * d * rng.next() ** 1.5;
  const both = lid();
  const eyeOpen: [number, number] = wink
    ? [both, clamp(both - 0.5, 0.3, 1)]
    : [both, clamp(both + 0.05 * rng.normal(), 0.3, 1)];
  return {
    open: rng.next() < 0.25 + 0.5 * d ? 0.32 * d * rng.next() : 0,
    eyeOpen,
    browRaise: (rng.next() * 1.2 - 0.2) * 0.09 * d,
    smile: (rng.next() * 1.4 - 0.4) * 0.06 * d,
    gaze: [(2 * rng.next() - 1) * (0.3 + 0.4 * d), (2 * rng.next() - 1) * 0.25],
  };
}

/** 3D template (x right, y down, z towards the camera; face half-width ~1) in the 106-point order. */
function buildTemplate(s: Shape, e: Expression): Float64Array {
  const p = new Float64Array(NUM_POINTS * 3);
  const defined = new Uint8Array(NUM_POINTS);
  const set = (i: number, x: number, y: number, z: number) => {
    defined[i] = 1;
    p[3 * i] = x;
    p[3 * i + 1] = y;
    p[3 * i + 2] = z;
  };
  // contour: a superellipse from temple to temple round the chin; the jaw drops as the mouth opens
  for (let i = 0; i <= 32; i++) {
    const phi = (Math.PI * i) / 32;
    const c = Math.cos(phi);
    const sn = Math.sin(phi);
    const ex = 2 / s.jaw;
    const x = -Math.sign(c) * Math.abs(c) ** ex * s.faceW;
    const y = TEMPLE_Y + (s.chinY - TEMPLE_Y) * sn ** ex + e.open * 0.8 * sn ** 6;
    set(i, x, y, -0.55 + 0.8 * sn * sn);
  }
  // left brow (upper outer -> inner, lower inner -> outer)
  const browUpper = (x: number) => {
    const t = clamp((x + 0.88) / 0.72, 0, 1); // 0 outer .. 1 inner
    return s.browY - e.browRaise - 0.09 * Math.sin(Math.PI * (0.2 + 0.75 * t)) + 0.02 * t;
  };
  const browZ = (x: number) => 0.48 - 0.42 * Math.abs(x);
  for (let k = 0; k < 5; k++) {
    const x = -0.86 + (0.68 * k) / 4;
    set(33 + k, x, browUpper(x), browZ(x));
  }
  for (let k = 0; k < 4; k++) {
    const x = -0.2 - (0.62 * k) / 3;
    const t = k / 3;
    set(38 + k, x, browUpper(x) + s.browT * (1 - 0.45 * t), browZ(x));
  }
  // nose bridge to tip, then the base from the left wing to the centre
  const bridgeTop = s.eyeY - 0.06;
  for (let k = 0; k < 4; k++) {
    const t = k / 3;
    set(51 + k, 0, lerp(bridgeTop, s.noseTip, t), lerp(0.55, 1.0, t * t));
  }
  const nb = s.noseTip + 0.14; // nose base line
  const w = s.noseW;
  set(55, -0.62 * w, s.noseTip - 0.08, 0.6);
  set(56, -1.0 * w, nb - 0.07, 0.48);
  set(57, -0.85 * w, nb - 0.01, 0.55);
  set(58, -0.45 * w, nb + 0.01, 0.7);
  set(59, -0.22 * w, nb + 0.025, 0.76);
  set(60, 0, nb + 0.03, 0.8);
  // lips: corners follow the smile, lower lip and inner lower edge follow the jaw
  const my = s.mouthY;
  const mw = s.mouthW * (1 + e.smile);
  const cornerY = my - e.smile * 1.2;
  const ul = s.lipT;
  const ll = s.lipT * 1.25;
  const o = e.open;
  set(84, -mw, cornerY, 0.42);
  set(85, -0.62 * mw, my - 0.85 * ul, 0.58);
  set(86, -0.24 * mw, my - 1.05 * ul, 0.68);
  set(87, 0, my - 0.9 * ul, 0.7);
  set(95, -0.62 * mw, my + 0.8 * ll + o, 0.56);
  set(94, -0.28 * mw, my + 1.0 * ll + o, 0.64);
  set(93, 0, my + 1.05 * ll + o, 0.66);
  set(96, -0.86 * mw, cornerY + 0.004, 0.46);
  set(97, -0.42 * mw, my - 0.18 * ul - 0.2 * o, 0.62);
  set(98, 0, my - 0.15 * ul - 0.2 * o, 0.65);
  set(102, 0, my + 0.1 * ll + 0.8 * o, 0.64);
  set(103, -0.42 * mw, my + 0.08 * ll + 0.8 * o, 0.61);
  // right side: mirror every point defined so far onto its undefined partner
  for (let i = 0; i < NUM_POINTS; i++) {
    const j = FLIP_106[i];
    if (j !== i && defined[i] && !defined[j]) set(j, -p[3 * i], p[3 * i + 1], p[3 * i + 2]);
  }
  // eyes, each with its own lid opening: outer corner, upper lid, inner corner, lower lid, centre, pupil
  const eye = (
    side: number,
    open: number,
    outer: number,
    upper: number[],
    inner: number,
    lower: number[],
    centre: number,
    pupil: number,
  ) => {
    const ex = side * s.eyeX;
    const ey = s.eyeY;
    const xAt = (t: number) => ex + side * s.eyeW * Math.cos(Math.PI * t); // t = 0 outer, 1 inner
    const zAt = (t: number) => 0.3 + 0.08 * Math.sin(Math.PI * t) + 0.04 * t;
    set(outer, xAt(0), ey + 0.01, zAt(0));
    set(inner, xAt(1), ey + 0.012, zAt(1));
    for (let k = 0; k < 3; k++) {
      const t = (k + 1) / 4;
      set(upper[k], xAt(t), ey - s.eyeH * open * Math.sin(Math.PI * t) ** 0.8, zAt(t) + 0.03);
      const tl = 1 - t; // lower lid runs inner -> outer
      set(lower[k], xAt(tl), ey + 0.012 + 0.75 * s.eyeH * open * Math.sin(Math.PI * tl) ** 0.9, zAt(tl));
    }
    set(centre, ex, ey, 0.36);
    // the pupil stays well inside the opening whatever the gaze
    const gx = e.gaze[0] * 0.32 * s.eyeW; // both eyes look the same way
    const gy = e.gaze[1] * 0.25 * s.eyeH * open;
    set(pupil, ex + gx, ey - 0.1 * s.eyeH * open + gy, 0.4);
  };
  eye(-1, e.eyeOpen[0], 66, [67, 68, 69], 70, [71, 72, 73], 74, 104);
  eye(1, e.eyeOpen[1], 79, [78, 77, 76], 75, [82, 81, 80], 83, 105);
  return p;
}

/** yaw about y, then pitch about x, then roll in the image plane; mild perspective. */
class Projector {
  private m: number[];
  constructor(
    pose: FacePose,
    public s = 1,
    public cx = 0,
    public cy = 0,
  ) {
    const r = Math.PI / 180;
    const [cyw, syw] = [Math.cos(pose.yaw * r), Math.sin(pose.yaw * r)];
    const [cp, sp] = [Math.cos(pose.pitch * r), Math.sin(pose.pitch * r)];
    const [cr, sr] = [Math.cos(pose.roll * r), Math.sin(pose.roll * r)];
    // R = Rroll * Rpitch * Ryaw, rows
    const ya = [cyw, 0, syw, 0, 1, 0, -syw, 0, cyw];
    const pi = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
    const ro = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
    const mul = (a: number[], b: number[]) => {
      const c = new Array<number>(9).fill(0);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) c[3 * i + j] += a[3 * i + k] * b[3 * k + j];
      return c;
    };
    this.m = mul(ro, mul(pi, ya));
  }
  project(x: number, y: number, z: number, out: Float64Array, o: number): void {
    const m = this.m;
    const X = m[0] * x + m[1] * y + m[2] * z;
    const Y = m[3] * x + m[4] * y + m[5] * z;
    const Z = m[6] * x + m[7] * y + m[8] * z;
    const f = 8 / (8 - Z);
    out[o] = this.cx + this.s * X * f;
    out[o + 1] = this.cy + this.s * Y * f;
  }
  projectAll(p3: Float64Array, out = new Float64Array((p3.length / 3) * 2)): Float64Array {
    for (let i = 0; i < p3.length / 3; i++) this.project(p3[3 * i], p3[3 * i + 1], p3[3 * i + 2], out, 2 * i);
    return out;
  }
}

/** Outline points that are not landmarks: forehead arc (right temple -> left temple) and the hair mass. */
function headOutline(
  s: Shape,
  hairScale: number,
  hairDrop: number,
): { forehead: Float64Array; hair: Float64Array } {
  const forehead = new Float64Array(FOREHEAD_SEGMENTS * 3);
  for (let k = 0; k < FOREHEAD_SEGMENTS; k++) {
    const phi = (Math.PI * (k + 1)) / (FOREHEAD_SEGMENTS + 1);
    forehead[3 * k] = Math.cos(phi) * s.faceW * 0.98;
    forehead[3 * k + 1] = TEMPLE_Y - (TEMPLE_Y - FOREHEAD_TOP) * Math.sin(phi);
    forehead[3 * k + 2] = -0.55 + 0.8 * Math.sin(phi);
  }
  // hair: an arc over the skull from below one temple to below the other
  const n = 24;
  const hair = new Float64Array(n * 3);
  for (let k = 0; k < n; k++) {
    const phi = -0.35 + ((Math.PI + 0.7) * k) / (n - 1);
    const c = Math.cos(phi);
    const sn = Math.sin(phi);
    hair[3 * k] = c * s.faceW * 1.12 * hairScale;
    hair[3 * k + 1] =
      sn > 0
        ? TEMPLE_Y - (TEMPLE_Y - FOREHEAD_TOP) * 1.12 * hairScale * sn
        : TEMPLE_Y + (hairDrop * -sn) / Math.sin(0.35);
    hair[3 * k + 2] = -0.7 + 0.6 * Math.max(0, sn);
  }
  return { forehead, hair };
}

function pointsXY(pts: Float64Array, idx: readonly number[]): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(idx.length);
  const ys = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    xs[k] = pts[2 * idx[k]];
    ys[k] = pts[2 * idx[k] + 1];
  }
  return { xs, ys };
}

const RANGE = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const LEFT_EYE_POLY = RANGE(66, 73);
const RIGHT_EYE_POLY = [75, 76, 77, 78, 79, 80, 81, 82];
const LEFT_UPPER_LID = [66, 67, 68, 69, 70];
const RIGHT_UPPER_LID = [75, 76, 77, 78, 79];
const OUTER_LIPS = RANGE(84, 95);
const INNER_LIPS = RANGE(96, 103);
const INNER_UPPER = [96, 97, 98, 99, 100];
const NOSE_BASE = [54, ...RANGE(55, 65)];

export interface FaceOverrides {
  /** replace the drawn head pose (the random stream is unchanged, so everything else stays the same) */
  pose?: FacePose;
}

/** Generate one face. Same (seed, size, difficulty) -> identical bytes. */
export function generateFace(
  seed: number,
  size: number,
  difficulty: number,
  overrides: FaceOverrides = {},
): SynthFace {
  const d = clamp(difficulty, 0, 1);
  const rng = new Rng(seed);
  const shape = drawShape(rng, d);
  const expr = drawExpression(rng, d);
  const drawn: FacePose = {
    yaw: (2 * rng.next() - 1) * (4 + 36 * d),
    pitch: (2 * rng.next() - 1) * (3 + 17 * d),
    roll: (2 * rng.next() - 1) * (4 + 26 * d),
  };
  const pose = overrides.pose ?? drawn;
  const p3 = buildTemplate(shape, expr);

  // place the face: landmark box ~ 1/1.2 of the crop like the reference preprocessing, jittered
  const unit = new Projector(pose).projectAll(p3);
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < NUM_POINTS; i++) {
    minX = Math.min(minX, unit[2 * i]);
    maxX = Math.max(maxX, unit[2 * i]);
    minY = Math.min(minY, unit[2 * i + 1]);
    maxY = Math.max(maxY, unit[2 * i + 1]);
  }
  const extent = Math.max(maxX - minX, maxY - minY);
  const fill = (1 / 1.2) * (1 + (2 * rng.next() - 1) * (0.04 + 0.12 * d));
  const scale = Math.min((fill * size) / extent, (0.96 * size) / extent);
  const slackX = Math.max(0, size * 0.98 - (maxX - minX) * scale) / 2;
  const slackY = Math.max(0, size * 0.98 - (maxY - minY) * scale) / 2;
  const shift = 0.25 + 0.75 * d;
  const cx = size / 2 - ((minX + maxX) / 2) * scale + (2 * rng.next() - 1) * slackX * shift;
  const cy = size / 2 - ((minY + maxY) / 2) * scale + (2 * rng.next() - 1) * slackY * shift;
  const proj = new Projector(pose, scale, cx, cy);
  const pts = proj.projectAll(p3);

  // colours and light
  const skinIdx = rng.next() * (SKIN.length - 1);
  const skin = rgbMix(SKIN[Math.floor(skinIdx)], SKIN[Math.ceil(skinIdx)], skinIdx % 1);
  const hair = pick(rng, HAIR);
  const iris = pick(rng, IRIS);
  const lip = rgbMix(scaleRgb(skin, 0.78), [170, 70, 80], 0.35 + 0.3 * rng.next());
  const lightAngle = rng.next() * 2 * Math.PI;
  const lightStrength = (0.08 + 0.55 * d * rng.next()) / (scale * 2);
  const lit = (c: RGB, f = 1): Paint => ({
    r: c[0] * f,
    g: c[1] * f,
    b: c[2] * f,
    gx: lightStrength * Math.cos(lightAngle),
    gy: lightStrength * Math.sin(lightAngle),
    cx,
    cy,
  });

  const cv = new Canvas(size, size);
  const mask = new Float32Array(size * size);

  // background: gradient + clutter
  const bgA: RGB = [rng.uniform(20, 235), rng.uniform(20, 235), rng.uniform(20, 235)];
  cv.clear({
    ...lit(bgA),
    gx: (rng.next() - 0.5) * (1.2 / size),
    gy: (rng.next() - 0.5) * (1.2 / size),
    cx: size / 2,
    cy: size / 2,
  });
  const clutter = Math.round(rng.next() * (1 + 9 * d));
  for (let k = 0; k < clutter; k++) {
    const col: RGB = [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
    const x = rng.uniform(0, size);
    const y = rng.uniform(0, size);
    const rx = rng.uniform(0.04, 0.3) * size;
    const ry = rng.uniform(0.04, 0.3) * size;
    if (rng.next() < 0.5)
      cv.fillEllipse(
        x,
        y,
        rx,
        ry,
        rng.uniform(0, Math.PI),
        { r: col[0], g: col[1], b: col[2] },
        rng.uniform(0.4, 1),
      );
    else {
      const a = rng.uniform(0, Math.PI);
      const [c, s] = [Math.cos(a), Math.sin(a)];
      const xs = [x - rx * c + ry * s, x + rx * c + ry * s, x + rx * c - ry * s, x - rx * c - ry * s];
      const ys = [y - rx * s - ry * c, y + rx * s - ry * c, y + rx * s + ry * c, y - rx * s + ry * c];
      cv.fillPolygon(xs, ys, 4, { r: col[0], g: col[1], b: col[2] }, rng.uniform(0.4, 1));
    }
  }

  // hair mass behind the head, neck, face
  const hairScale = rng.uniform(1.0, 1.12);
  const hairDrop = rng.next() < 0.45 ? rng.uniform(0.9, 1.8) : rng.uniform(0.1, 0.4);
  const { forehead, hair: hair3 } = headOutline(shape, hairScale, hairDrop);
  const hair2 = proj.projectAll(hair3);
  if (rng.next() < 0.92) {
    const n = hair2.length / 2;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let k = 0; k < n; k++) [xs[k], ys[k]] = [hair2[2 * k], hair2[2 * k + 1]];
    cv.fillPolygon(xs, ys, n, lit(hair));
  }
  {
    const a = 8;
    const b = 24;
    const neckW = (pts[2 * b] - pts[2 * a]) * 0.5;
    const xs = [pts[2 * a], pts[2 * b], pts[2 * b] + neckW * 0.3, pts[2 * a] - neckW * 0.3];
    const ys = [pts[2 * a + 1], pts[2 * b + 1], size * 1.5, size * 1.5];
    cv.fillPolygon(xs, ys, 4, lit(skin, 0.82));
  }
  const fore2 = proj.projectAll(forehead);
  {
    const n = 33 + FOREHEAD_SEGMENTS;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let i = 0; i <= 32; i++) [xs[i], ys[i]] = [pts[2 * i], pts[2 * i + 1]];
    for (let k = 0; k < FOREHEAD_SEGMENTS; k++) [xs[33 + k], ys[33 + k]] = [fore2[2 * k], fore2[2 * k + 1]];
    cv.fillPolygon(xs, ys, n, lit(skin));
  }
  // fringe: hair over the upper forehead (down over the brows only at high difficulty)
  if (rng.next() < 0.4) {
    const low = rng.uniform(0.25, 0.5 + 0.45 * d); // fraction of the forehead height covered
    const fr = new Float64Array((FOREHEAD_SEGMENTS + 2) * 3);
    for (let k = 0; k < FOREHEAD_SEGMENTS; k++) {
      fr[3 * k] = forehead[3 * k];
      fr[3 * k + 1] = forehead[3 * k + 1] - 0.05;
      fr[3 * k + 2] = forehead[3 * k + 2];
    }
    const yLow = FOREHEAD_TOP + (shape.browY - 0.05 - FOREHEAD_TOP) * low * 1.25;
    fr.set(
      [-shape.faceW * 0.9, yLow, 0.1, shape.faceW * 0.9, yLow + rng.uniform(-0.15, 0.15), 0.1],
      FOREHEAD_SEGMENTS * 3,
    );
    const f2 = proj.projectAll(fr);
    const n = f2.length / 2;
    const xs = new Float64Array(n);
    const ys = new Float64Array(n);
    for (let k = 0; k < n; k++) [xs[k], ys[k]] = [f2[2 * k], f2[2 * k + 1]];
    cv.fillPolygon(xs, ys, n, lit(hair));
  }

  // brows
  const browCol = rgbMix(hair, [30, 24, 20], 0.4);
  for (const idx of [RANGE(33, 41), RANGE(42, 50)]) {
    const { xs, ys } = pointsXY(pts, idx);
    cv.fillPolygon(xs, ys, xs.length, lit(browCol), 0.92);
  }

  // eyes: sclera, iris and pupil clipped to the opening, upper lid line
  const eyeHalfW = Math.hypot(pts[2 * 66] - pts[2 * 70], pts[2 * 66 + 1] - pts[2 * 70 + 1]) / 2;
  for (const [poly, lid, pupil] of [
    [LEFT_EYE_POLY, LEFT_UPPER_LID, 104],
    [RIGHT_EYE_POLY, RIGHT_UPPER_LID, 105],
  ] as const) {
    const { xs, ys } = pointsXY(pts, poly);
    const bb = cv.coverage(xs, ys, xs.length, mask);
    if (!bb) continue;
    cv.paint(bb, lit([236, 232, 226]), 1, mask);
    const px = pts[2 * pupil];
    const py = pts[2 * pupil + 1];
    const rIris = 0.46 * eyeHalfW;
    const rPupil = Math.max(1.0, 0.45 * rIris);
    for (const [r, col] of [
      [rIris, iris],
      [rPupil, PUPIL],
    ] as const) {
      const e = ellipsePolygon(px, py, r, r);
      const bi = cv.coverage(e.xs, e.ys, e.xs.length);
      if (bi) cv.paint(bi, { r: col[0], g: col[1], b: col[2] }, 1, cv.cov, mask);
    }
    const l = pointsXY(pts, lid);
    const lw = Math.max(0.6, 0.05 * eyeHalfW);
    const lx = new Float64Array(10);
    const ly = new Float64Array(10);
    for (let k = 0; k < 5; k++) {
      lx[k] = l.xs[k];
      ly[k] = l.ys[k] + 0.2 * lw;
      lx[9 - k] = l.xs[k];
      ly[9 - k] = l.ys[k] - lw;
    }
    cv.fillPolygon(lx, ly, 10, { r: 40, g: 28, b: 26 }, 0.85);
  }

  // nose: base shading and nostrils
  {
    const { xs, ys } = pointsXY(pts, NOSE_BASE);
    cv.fillPolygon(xs, ys, xs.length, lit(skin, 0.8), 0.45);
    const nr = Math.max(0.6, 0.035 * scale);
    for (const [a, b] of [
      [57, 59],
      [63, 61],
    ]) {
      const x = (pts[2 * a] + pts[2 * b]) / 2;
      const y = (pts[2 * a + 1] + pts[2 * b + 1]) / 2 - 0.3 * nr;
      cv.fillEllipse(x, y, nr * 1.3, nr * 0.75, 0, lit(skin, 0.35), 0.8);
    }
  }

  // lips, mouth cavity and teeth
  {
    const outer = pointsXY(pts, OUTER_LIPS);
    cv.fillPolygon(outer.xs, outer.ys, outer.xs.length, lit(lip));
    const inner = pointsXY(pts, INNER_LIPS);
    const bb = cv.coverage(inner.xs, inner.ys, inner.xs.length, mask);
    if (bb) {
      cv.paint(bb, { r: 70, g: 24, b: 30 }, 1, mask);
      if (expr.open > 0.04) {
        const up = pointsXY(pts, INNER_UPPER);
        const drop = expr.open * scale * 0.28;
        const tx = new Float64Array(10);
        const ty = new Float64Array(10);
        for (let k = 0; k < 5; k++) {
          tx[k] = up.xs[k];
          ty[k] = up.ys[k] - 1;
          tx[9 - k] = up.xs[k];
          ty[9 - k] = up.ys[k] + drop;
        }
        const bt = cv.coverage(tx, ty, 10);
        if (bt) cv.paint(bt, { r: 232, g: 226, b: 210 }, 1, cv.cov, mask);
      }
    }
    // a thin dark line between the lips
    const ix = new Float64Array(8);
    const iy = new Float64Array(8);
    const order = [96, 97, 98, 99, 100, 101, 102, 103];
    for (let k = 0; k < 8; k++)
      [ix[k], iy[k]] = [pts[2 * order[k]], pts[2 * order[k] + 1] + (k < 5 ? -0.35 : 0.35)];
    cv.fillPolygon(ix, iy, 8, { r: 60, g: 25, b: 28 }, 0.6);
  }

  // occluders over landmarks (ground truth unchanged)
  const occluders = rng.next() < 0.75 * d ? 1 + (rng.next() < 0.4 * d ? 1 : 0) : 0;
  for (let k = 0; k < occluders; k++) {
    const target = rng.int(NUM_POINTS);
    const x = pts[2 * target] + rng.normal() * 0.05 * size;
    const y = pts[2 * target + 1] + rng.normal() * 0.05 * size;
    const col: RGB =
      rng.next() < 0.4
        ? scaleRgb(skin, rng.uniform(0.8, 1.1))
        : [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
    const rx = rng.uniform(0.08, 0.22) * size;
    const ry = rng.uniform(0.05, 0.16) * size;
    const a = rng.uniform(0, Math.PI);
    if (rng.next() < 0.5) cv.fillEllipse(x, y, rx, ry, a, lit(col));
    else {
      const [c, s] = [Math.cos(a), Math.sin(a)];
      const xs = [x - rx * c + ry * s, x + rx * c + ry * s, x + rx * c - ry * s, x - rx * c - ry * s];
      const ys = [y - rx * s - ry * c, y + rx * s - ry * c, y + rx * s + ry * c, y - rx * s + ry * c];
      cv.fillPolygon(xs, ys, 4, lit(col));
    }
  }

  // camera: blur, exposure, noise, quantise
  const blurPasses = rng.next() < 0.6 * d ? 1 + rng.int(Math.max(1, Math.round(2 * d * (size / 64)))) : 0;
  blur121(cv.data, size, size, blurPasses);
  const gain = 1 + (2 * rng.next() - 1) * 0.25 * d;
  const bias = (2 * rng.next() - 1) * 20 * d;
  const sigma = rng.next() < 0.7 * d ? rng.uniform(2, 16) * d : 0;
  const image = new Uint8Array(size * size * 3);
  const data = cv.data;
  for (let i = 0; i < data.length; i++) {
    let v = data[i] * gain + bias;
    if (sigma > 0) v += sigma * rng.normal();
    image[i] = clamp(Math.round(v), 0, 255);
  }

  const landmarks = new Float32Array(NUM_COORDS);
  for (let i = 0; i < NUM_COORDS; i++) landmarks[i] = pts[i] / size;
  return { image, landmarks, pose };
}

/** `count` faces of `size` x `size`: face i is generateFace(faceSeed(seed, i), size, difficulty). */
export function generateDataset(opts: SynthDatasetOptions): SynthDataset {
  const { count, size, difficulty, seed, onProgress } = opts;
  const stride = size * size * 3;
  const images = new Uint8Array(count * stride);
  const landmarks = new Float32Array(count * NUM_COORDS);
  for (let i = 0; i < count; i++) {
    const f = generateFace(faceSeed(seed, i), size, difficulty);
    images.set(f.image, i * stride);
    landmarks.set(f.landmarks, i * NUM_COORDS);
    if (onProgress && ((i + 1) % 32 === 0 || i + 1 === count)) onProgress(i + 1, count);
  }
  return { images, landmarks, count, size };
}
