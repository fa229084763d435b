/**
 * Browser image decoding for the importer: createImageBitmap (PNG, JPEG, WebP, whatever the browser reads)
 * drawn into a reused 2D canvas and read back as RGB. Colour-space conversion and alpha premultiplication
 * are switched off so a PNG's stored bytes come back unchanged.
 */
import type { DecodedImage } from '../../nas/index.ts';

let scratch: OffscreenCanvas | HTMLCanvasElement | null = null;
let scratchCtx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null = null;

function context(w: number, h: number) {
  if (!scratch) {
    scratch =
      typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : document.createElement('canvas');
    scratchCtx = scratch.getContext('2d', { willReadFrequently: true }) as typeof scratchCtx;
  }
  if (scratch.width !== w || scratch.height !== h) {
    scratch.width = w;
    scratch.height = h;
  }
  if (!scratchCtx) throw new Error('This browser cannot read pixels back from a canvas.');
  return scratchCtx;
}

/**
 * Decode `blob` to RGB. With `resizeTo`, an image of another size is scaled by the browser to resizeTo x
 * resizeTo (much cheaper than resizing a large photo in JS); only valid when the landmarks are normalised,
 * since pixel landmarks are divided by the decoded width and height.
 */
export async function decodeImage(blob: Blob, resizeTo?: number): Promise<DecodedImage> {
  let bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  if (resizeTo && (bitmap.width !== resizeTo || bitmap.height !== resizeTo)) {
    const native = bitmap;
    bitmap = await createImageBitmap(native, {
      resizeWidth: resizeTo,
      resizeHeight: resizeTo,
      resizeQuality: 'high',
    });
    native.close();
  }
  try {
    const { width, height } = bitmap;
    const ctx = context(width, height);
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return { rgb, width, height };
  } finally {
    bitmap.close();
  }
}
