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
 * Accepted here: exactly 212 values, or 212 + 3 (the angles are kept in `extra`). Anything else is reported,
 * and so is any value that is not a finite number (`NaN`, `inf`, and `1e999`, which parses to Infinity).
 *
 * Coordinates: whether the file holds normalised or pixel values is decided ONLY from lines that are otherwise
 * valid, so a rejected line can never change how the accepted ones are read (a lone `1e999` once flipped a
 * whole normalised file to pixels and squeezed every face into the top-left corner). Each valid line is
 * classed: "normalised-looking" when all 212 values lie in [NORMALISED_LOW, NORMALISED_HIGH], "pixel-looking"
 * when more than half of them lie above NORMALISED_HIGH, unclassed otherwise (a normalised line with a few
 * stray values: it votes for neither and meets the range check of the chosen unit). If both kinds occur, the
 * larger wins only when the other is one line or at most OUTLIER_SHARE of the classed lines (those lines are reported,
 * not rescaled); otherwise the file mixes units and is refused
 * (`mixed` names the lines, no samples). The decision and its evidence are returned in `unit` so the UI can
 * show them; `options.coords` overrides it, and lines that look like the other unit are still reported.
 * Normalised values must then lie in [-TOL, 1 + TOL]; pixel values must be >= -0.5 (the upper bound is
 * checked against the decoded image size at import, where points outside the image are reported).
 */
import { NUM_COORDS } from './landmarks106.ts';

export const RANGE_TOLERANCE = 1e-3;
export const EXTRA_VALUES = 3;
/** A line whose values all lie in this band reads as normalised coordinates (a little slack for points
 *  just outside the crop). */
export const NORMALISED_LOW = -0.1;
export const NORMALISED_HIGH = 1.1;
/** Largest share of valid lines of the minority unit still treated as stray bad lines, not a mixed file. */
export const OUTLIER_SHARE = 0.1;
/** Line numbers quoted in a message before "and N more". */
const QUOTED_LINES = 8;

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

/** Why the file was read in its unit: the counts behind the decision, for the user to check. */
export interface UnitEvidence {
  /** 'auto': decided from the lines; 'forced': chosen by the caller */
  decidedBy: 'auto' | 'forced';
  /** lines with every value in [NORMALISED_LOW, NORMALISED_HIGH] */
  normalisedLines: number;
  /** lines with more than half of their values above NORMALISED_HIGH */
  pixelLines: number;
  /** smallest and largest landmark value over the valid lines (0, 0 when there are none) */
  min: number;
  max: number;
  /** one sentence saying what was decided and why */
  summary: string;
}

export interface ParsedList {
  samples: ListSample[];
  problems: ListProblem[];
  coords: CoordMode;
  unit: UnitEvidence;
  /** set when the file mixes units and was refused: the message names the lines (then `samples` is empty) */
  mixed: string | null;
  /** non-empty lines seen */
  lines: number;
}

export interface ParseOptions {
  coords?: CoordMode | 'auto';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const unitName = (c: CoordMode) => (c === 'pixels' ? 'pixel' : 'normalised');

function quoteLines(lines: number[]): string {
  const shown = lines.slice(0, QUOTED_LINES).join(', ');
  return lines.length > QUOTED_LINES ? `${shown} and ${lines.length - QUOTED_LINES} more` : shown;
}

function lineUnit(lm: Float32Array): CoordMode | null {
  let inBand = 0;
  let above = 0;
  for (let i = 0; i < lm.length; i++) {
    if (lm[i] >= NORMALISED_LOW && lm[i] <= NORMALISED_HIGH) inBand++;
    else if (lm[i] > NORMALISED_HIGH) above++;
  }
  if (inBand === lm.length) return 'normalized';
  return above * 2 > lm.length ? 'pixels' : null;
}

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
    if (path.split(/[\\/]/).includes('..')) {
      problems.push({
        line,
        reason: `image path "${path.slice(0, 80)}" leads outside the dataset folder ("..")`,
      });
      continue;
    }
    const nums: number[] = [];
    let bad: string | null = null;
    for (let k = 0; k < values.length; k++) {
      const tok = values[k];
      const shown = tok.length > 20 ? tok.slice(0, 20) + '...' : tok;
      if (/^[+-]?(nan|inf(inity)?)$/i.test(tok)) {
        bad = `value ${k + 1} is ${shown} (not a finite number)`;
        break;
      }
      if (!NUMBER.test(tok)) {
        bad = `value ${k + 1} "${shown}" is not a number`;
        break;
      }
      const v = Number(tok);
      // 1e999 passes the pattern but overflows; a Float32Array would also overflow past 3.4e38
      if (!Number.isFinite(v) || Math.abs(v) > 3.4e38) {
        bad = `value ${k + 1} is ${shown} (not a finite number)`;
        break;
      }
      nums.push(v);
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

  // the unit, from the valid lines only
  const normalisedLike: number[] = [];
  const pixelLike: number[] = [];
  const kind = new Map<ListSample, CoordMode | null>();
  let min = Infinity;
  let max = -Infinity;
  for (const s of wellFormed) {
    const k = lineUnit(s.landmarks);
    kind.set(s, k);
    if (k) (k === 'normalized' ? normalisedLike : pixelLike).push(s.line);
    for (let i = 0; i < NUM_COORDS; i++) {
      min = Math.min(min, s.landmarks[i]);
      max = Math.max(max, s.landmarks[i]);
    }
  }
  if (!wellFormed.length) min = max = 0;
  const forced = options.coords && options.coords !== 'auto' ? options.coords : null;
  const majority: CoordMode = pixelLike.length > normalisedLike.length ? 'pixels' : 'normalized';
  const coords = forced ?? majority;
  const minority = majority === 'pixels' ? normalisedLike : pixelLike;
  const valid = wellFormed.length;
  const classed = normalisedLike.length + pixelLike.length;
  // one stray line is never a second unit (unless it ties), nor is a small share of them
  const stray = minority.length <= Math.max(1, OUTLIER_SHARE * classed) && minority.length * 2 < classed;
  const mixedFile = !forced && minority.length > 0 && !stray;
  const range = `values from ${fmt(min)} to ${fmt(max)}`;
  let summary: string;
  if (forced) {
    summary = `Read as ${unitName(forced)} coordinates (chosen by you); of ${valid} valid lines, ${normalisedLike.length} read as normalised and ${pixelLike.length} as pixels (${range}).`;
  } else if (!classed) {
    summary = 'No valid lines to decide the unit from; assuming normalised coordinates.';
  } else if (!minority.length) {
    summary =
      majority === 'normalized'
        ? `Normalised coordinates: ${classed === valid ? 'all' : classed + ' of'} ${valid} valid lines have every value within [${NORMALISED_LOW}, ${NORMALISED_HIGH}] (${range}).`
        : `Pixel coordinates: ${classed === valid ? 'all' : classed + ' of'} ${valid} valid lines have most values above ${NORMALISED_HIGH} (${range}); they are divided by each image's size.`;
  } else if (!mixedFile) {
    summary = `${unitName(majority)[0].toUpperCase() + unitName(majority).slice(1)} coordinates: ${classed - minority.length} of ${valid} valid lines look that way (${range}); line(s) ${quoteLines(minority)} look like ${unitName(majority === 'pixels' ? 'normalized' : 'pixels')} values and are reported.`;
  } else {
    summary = `Mixed units: ${normalisedLike.length} valid lines look normalised and ${pixelLike.length} look like pixels.`;
  }
  const unit: UnitEvidence = {
    decidedBy: forced ? 'forced' : 'auto',
    normalisedLines: normalisedLike.length,
    pixelLines: pixelLike.length,
    min,
    max,
    summary,
  };
  if (mixedFile) {
    const mixed =
      `This file mixes units: line(s) ${quoteLines(normalisedLike)} hold normalised values (all within ` +
      `[${NORMALISED_LOW}, ${NORMALISED_HIGH}]) while line(s) ${quoteLines(pixelLike)} hold pixel values. ` +
      `Nothing is imported: fix the file so every line uses one unit, or choose the unit yourself to import ` +
      `only the lines written in it.`;
    problems.sort((a, b) => a.line - b.line);
    return { samples: [], problems, coords, unit, mixed, lines };
  }

  const samples: ListSample[] = [];
  const seen = new Map<string, number>();
  for (const s of wellFormed) {
    const k = kind.get(s);
    const rangeReason =
      k && k !== coords
        ? `its values (${lineRange(s.landmarks)}) look like ${unitName(k)} coordinates, but the file is read as ${unitName(coords)}; the line is left out, not rescaled`
        : rangeProblem(s.landmarks, coords);
    if (rangeReason) {
      problems.push({ line: s.line, reason: rangeReason });
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
  return { samples, problems, coords, unit, mixed: null, lines };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function lineRange(lm: Float32Array): string {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of lm) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `${fmt(lo)} to ${fmt(hi)}`;
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
 * Landmarks as fractions of the image: unchanged when normalised, divided by the image's width and height
 * when in pixels. The importer stores this and the import preview draws it, so both show the same points.
 */
export function toNormalised(
  lm: Float32Array,
  coords: CoordMode,
  width: number,
  height: number,
): Float32Array {
  if (coords === 'normalized') return lm.slice();
  const out = new Float32Array(lm.length);
  for (let i = 0; i < lm.length; i += 2) {
    out[i] = lm[i] / width;
    out[i + 1] = lm[i + 1] / height;
  }
  return out;
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
