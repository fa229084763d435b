/**
 * The 106-point facial landmark scheme of the JD-landmark challenge (ICME 2019, arXiv 1905.03469), which
 * LaPa (JDAI-CV) shares. "Left"/"right" below mean the image's left/right (the subject's right eye is the
 * image-left eye), as in the 68-point iBUG order that this scheme extends.
 *
 * Sources for the order and the mirror pairs:
 *  - mmpose configs/_base_/datasets/lapa.py: the `swap` partner of each of the 106 keypoints (FLIP_106);
 *  - the published LaPa/JD 106 -> 300W 68 correspondence (contour every other point; brows 33-37, 42-46;
 *    nose 51-54 + 57, 58, 60, 62, 63; eyes 66, 67, 69, 70, 71, 73 and 75, 76, 78, 79, 80, 82; mouth 84-103),
 *    which fixes where corners and lids sit inside each group.
 *
 * Layout (0-based):
 *   0-32    face contour, image-left temple -> chin (16) -> image-right temple
 *   33-37   left brow upper edge, outer -> inner;   38-41 left brow lower edge, inner -> outer
 *   42-46   right brow upper edge, inner -> outer;  47-50 right brow lower edge, outer -> inner
 *   51-54   nose bridge, top -> tip
 *   55-65   nose base: 55 left wing top ... 60 centre (below the tip) ... 65 right wing top
 *   66-73   left eye: 66 outer corner, 67-69 upper lid, 70 inner corner, 71-73 lower lid;  74 left eye centre
 *   75-82   right eye: 75 inner corner, 76-78 upper lid, 79 outer corner, 80-82 lower lid; 83 right eye centre
 *   84-95   outer lips: 84 left corner, 85-89 upper lip (87 centre), 90 right corner, 91-95 lower lip (93 centre)
 *   96-103  inner lips: 96 left corner, 97-99 upper (98 centre), 100 right corner, 101-103 lower (102 centre)
 *   104,105 left and right pupil
 *
 * Normalisation: the PFLD-106 reference the NNI FBNet example cites (Hsintao/pfld_106_face_landmarks,
 * test.py compute_nme) divides by the distance between the two OUTER eye corners ("left eye corner and right
 * eye corner", its indices 35 and 93 in that repository's own annotation order). In this scheme the outer
 * corners are 66 and 79, so INTER_OCULAR = [66, 79]. The pupils give the inter-pupil alternative.
 */

export const NUM_POINTS = 106;
export const NUM_COORDS = 2 * NUM_POINTS;

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Named index groups; polygons (brows, eyes, lips) are listed in drawing order around the outline. */
export const GROUPS_106 = {
  contour: range(0, 32),
  leftBrow: range(33, 41),
  rightBrow: range(42, 50),
  noseBridge: range(51, 54),
  noseBase: range(55, 65),
  leftEye: range(66, 73),
  rightEye: range(75, 82),
  eyeCentres: [74, 83],
  outerLips: range(84, 95),
  innerLips: range(96, 103),
  pupils: [104, 105],
} as const satisfies Record<string, readonly number[]>;

export type Group106 = keyof typeof GROUPS_106;

/** Named single points used across the code (chin, corners, pupils). */
export const POINT = {
  chin: 16,
  noseTip: 54,
  leftEyeOuter: 66,
  leftEyeInner: 70,
  rightEyeInner: 75,
  rightEyeOuter: 79,
  leftEyeCentre: 74,
  rightEyeCentre: 83,
  mouthLeft: 84,
  mouthRight: 90,
  leftPupil: 104,
  rightPupil: 105,
} as const;

/** Outer eye corners: the inter-ocular normaliser of the PFLD-106 reference (see header). */
export const INTER_OCULAR: readonly [number, number] = [POINT.leftEyeOuter, POINT.rightEyeOuter];
/** Pupils: the inter-pupil normaliser. */
export const INTER_PUPIL: readonly [number, number] = [POINT.leftPupil, POINT.rightPupil];

function buildFlip(): Int32Array {
  const f = new Int32Array(NUM_POINTS);
  for (let i = 0; i < NUM_POINTS; i++) f[i] = i; // midline points map to themselves
  const pair = (a: number, b: number) => {
    f[a] = b;
    f[b] = a;
  };
  for (let i = 0; i <= 15; i++) pair(i, 32 - i); // contour around the chin (16)
  for (let i = 0; i < 5; i++) pair(33 + i, 46 - i); // brow upper edges
  for (let i = 0; i < 4; i++) pair(38 + i, 50 - i); // brow lower edges
  for (let i = 55; i <= 59; i++) pair(i, 120 - i); // nose base around 60
  for (let i = 0; i < 5; i++) pair(66 + i, 79 - i); // eye corners + upper lids
  for (let i = 0; i < 3; i++) pair(71 + i, 82 - i); // lower lids
  pair(74, 83);
  for (let i = 84; i <= 86; i++) pair(i, 174 - i); // outer upper lip around 87
  for (let i = 91; i <= 92; i++) pair(i, 186 - i); // outer lower lip around 93
  for (let i = 96; i <= 97; i++) pair(i, 196 - i); // inner upper lip around 98
  pair(101, 103); // inner lower lip around 102
  pair(104, 105);
  return f;
}

/**
 * Left <-> right partner of each point. After mirroring an image (x -> 1 - x), the new point i is the old
 * point FLIP_106[i] mirrored. It is an involution (FLIP_106[FLIP_106[i]] === i).
 */
export const FLIP_106: Readonly<Int32Array> = buildFlip();

/** Mirror a flat [x0, y0, x1, y1, ...] landmark vector (normalised coords) into `out` (may not alias). */
export function flipLandmarks(
  src: Float32Array,
  out: Float32Array = new Float32Array(src.length),
  srcOffset = 0,
  outOffset = 0,
): Float32Array {
  for (let i = 0; i < NUM_POINTS; i++) {
    const j = FLIP_106[i];
    out[outOffset + 2 * i] = 1 - src[srcOffset + 2 * j];
    out[outOffset + 2 * i + 1] = src[srcOffset + 2 * j + 1];
  }
  return out;
}
