/**
 * The faces drawn before an import: the first few usable lines of the list, their images decoded at full
 * size and their landmarks turned into fractions of that image in the unit the user chose (the same
 * toNormalised the importer stores), so a wrong unit is seen as points off the face before anything is
 * written. A face whose image is missing or undecodable is shown with its problem instead.
 */
import { NUM_COORDS, resizeRgb, toNormalised, type ParsedList } from '../../nas/index.ts';
import { decodeImage } from './decode-image.ts';
import { resolveImage, type FileSource } from './file-source.ts';
import type { FaceData } from './draw-face.ts';

export interface PreviewFace {
  line: number;
  path: string;
  face: FaceData | null;
  /** why there is no face, or which points fall outside the image in the chosen unit */
  problem: string | null;
}

export async function previewFaces(
  source: FileSource,
  listPath: string,
  list: ParsedList,
  count: number,
  side: number,
): Promise<PreviewFace[]> {
  const out: PreviewFace[] = [];
  for (const s of list.samples.slice(0, count)) {
    const blob = resolveImage(source, listPath, s.path);
    if (!blob) {
      out.push({ line: s.line, path: s.path, face: null, problem: 'image not found' });
      continue;
    }
    try {
      const img = await decodeImage(blob);
      const landmarks = toNormalised(s.landmarks, list.coords, img.width, img.height);
      let outside = 0;
      for (let i = 0; i < NUM_COORDS; i += 2) {
        const [x, y] = [landmarks[i], landmarks[i + 1]];
        if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) outside++;
      }
      const rgb =
        img.width === side && img.height === side
          ? img.rgb
          : resizeRgb(img.rgb, img.width, img.height, side, side);
      out.push({
        line: s.line,
        path: s.path,
        face: { rgb, size: side, landmarks },
        problem: outside ? `${outside} of ${NUM_COORDS / 2} points fall outside the image` : null,
      });
    } catch (e) {
      out.push({
        line: s.line,
        path: s.path,
        face: null,
        problem: `image could not be decoded (${e instanceof Error ? e.message : String(e)})`,
      });
    }
  }
  return out;
}
