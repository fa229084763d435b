/**
 * Parser for the `list.txt` of the 106points layout used by the NNI FBNet example
 * (./data/106points/{train_data,test_data}/list.txt). Reference behaviour (NNI examples/nas/oneshot/fbnet/
 * datasets.py and the PFLD-106 preprocessing it follows, Hsintao/pfld_106_face_landmarks data/prepare.py):
 *
 *   <image path> x0 y0 x1 y1 ... x105 y105 [pitch yaw roll]
 *
 * whitespace-separated, one face per line. The 212 values are the landmarks, NORMALISED to the cropped face
 * image (prepare.py divides by the crop side and asserts 0 <= v <= 1); the 3 trailing values are Euler
 * angles in degrees (the reader keeps "everything after the landmarks" as the angle vector). The path is
 * resolved against the dataset root (data_root/<path>), e.g. "train_data/imgs/0_xxx_0.png".
 *
 * Accepted here: exactly 212 values, or 212 + 3 (the angles are kept in `extra`). Anything else is reported.
 * Coordinates: a file is read as normalised unless some landmark value exceeds PIXEL_THRESHOLD (1.5), then
 * the whole file is read as pixels (converted to [0, 1] later, when the image size is known). The decision
 * is per file so one stray value cannot split a file into two conventions; it can be forced with
 * `options.coords`. Normalised values must lie in [-TOL, 1 + TOL]; pixel values must be >= -0.5 (the upper
 * bound is checked against the decoded image size at import).
 */
import { NUM_COORDS } from './landmarks106.ts';

export const PIXEL_THRESHOLD = 1.5;
export const RANGE_TOLERANCE = 1e-3;
export const EXTRA_VALUES = 3;

export type CoordMode = 'normalized' | 'pixels';

export interface ListSample {
  /** 1-based line number in the file */
  line: number;
  path: string;
  /** 212 values, as written (normalised or pixels, see ParsedList.coords) */
  landmarks: Float32Array;
  /** values after the landmarks (pitch, yaw, roll in the reference), possibly empty */
  extra: number[];
}

export interface ListProblem {
  line: number;
  reason: string;
}

export interface ParsedList {
  samples: ListSample[];
  problems: ListProblem[];
  coords: CoordMode;
  /** non-empty lines seen */
  lines: number;
}

export interface ParseOptions {
  coords?: CoordMode | 'auto';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseList(text: string, options: ParseOptions = {}): ParsedList {
  const rows = text.split(/\r\n|\n|\r/);
  const problems: ListProblem[] = [];
  const wellFormed: ListSample[] = [];
  let lines = 0;
  for (let r = 0; r < rows.length; r++) {
    const line = r + 1;
    const trimmed = rows[r].trim();
    if (!trimmed) continue;
    lines++;
    const tokens = trimmed.split(/\s+/);
    const path = tokens[0];
    const values = tokens.slice(1);
    if (values.length !== NUM_COORDS && values.length !== NUM_COORDS + EXTRA_VALUES) {
      problems.push({
        line,
        reason: `expected ${NUM_COORDS} landmark values (optionally followed by ${EXTRA_VALUES} Euler angles) after the path, found ${values.length}`,
      });
      continue;
    }
    const nums: number[] = [];
    let bad: string | null = null;
    for (let k = 0; k < values.length; k++) {
      const tok = values[k];
      if (/^[+-]?(nan|inf(inity)?)$/i.test(tok)) {
        bad = `value ${k + 1} is ${tok} (not a finite number)`;
        break;
      }
      if (!NUMBER.test(tok)) {
        bad = `value ${k + 1} "${tok.length > 20 ? tok.slice(0, 20) + '...' : tok}" is not a number`;
        break;
      }
      nums.push(Number(tok));
    }
    if (bad) {
      problems.push({ line, reason: bad });
      continue;
    }
    wellFormed.push({
      line,
      path,
      landmarks: Float32Array.from(nums.slice(0, NUM_COORDS)),
      extra: nums.slice(NUM_COORDS),
    });
  }

  let coords: CoordMode;
  if (options.coords && options.coords !== 'auto') coords = options.coords;
  else {
    coords = 'normalized';
    outer: for (const s of wellFormed) {
      for (let i = 0; i < NUM_COORDS; i++) {
        if (s.landmarks[i] > PIXEL_THRESHOLD) {
          coords = 'pixels';
          break outer;
        }
      }
    }
  }

  const samples: ListSample[] = [];
  const seen = new Map<string, number>();
  for (const s of wellFormed) {
    const range = rangeProblem(s.landmarks, coords);
    if (range) {
      problems.push({ line: s.line, reason: range });
      continue;
    }
    const first = seen.get(s.path);
    if (first !== undefined) {
      problems.push({ line: s.line, reason: `duplicate image path "${s.path}" (first on line ${first})` });
      continue;
    }
    seen.set(s.path, s.line);
    samples.push(s);
  }
  problems.sort((a, b) => a.line - b.line);
  return { samples, problems, coords, lines };
}

function rangeProblem(lm: Float32Array, coords: CoordMode): string | null {
  for (let i = 0; i < lm.length; i++) {
    const v = lm[i];
    const axis = i % 2 === 0 ? 'x' : 'y';
    const point = i >> 1;
    if (coords === 'normalized' && (v < -RANGE_TOLERANCE || v > 1 + RANGE_TOLERANCE)) {
      return `landmark ${point} ${axis} = ${v} is outside [0, 1] (normalised coordinates)`;
    }
    if (coords === 'pixels' && v < -0.5)
      return `landmark ${point} ${axis} = ${v} is negative (pixel coordinates)`;
  }
  return null;
}

/**
 * Where the image of a list line may live, most likely first: relative to the dataset root (the reference's
 * data_root join), relative to the list file's folder, then imgs/<file name> next to the list. Paths use
 * '/' and have no leading './'. `listPath` is the list file's path inside the picked folder.
 */
export function candidateImagePaths(listPath: string, imagePath: string): string[] {
  const norm = (p: string) =>
    p
      .replace(/\\/g, '/')
      .split('/')
      .filter((s) => s && s !== '.')
      .join('/');
  const list = norm(listPath);
  const img = norm(imagePath);
  const listDir = list.includes('/') ? list.slice(0, list.lastIndexOf('/')) : '';
  const rootDir = listDir.includes('/') ? listDir.slice(0, listDir.lastIndexOf('/')) : '';
  const base = img.slice(img.lastIndexOf('/') + 1);
  const join = (a: string, b: string) => (a ? `${a}/${b}` : b);
  const out = [join(rootDir, img), join(listDir, img), join(listDir, `imgs/${base}`), img];
  return [...new Set(out)];
}
