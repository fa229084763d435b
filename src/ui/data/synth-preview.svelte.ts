/**
 * The SynthFace-106 preview: a few generated faces for the chosen seed, size and difficulty. Face i uses
 * the same seed as face i of a training set with these settings (faceSeed(seed, i)), so the preview shows
 * exactly the data a search would see. Faces are generated a few at a time between animation frames.
 */
import { faceSeed, generateFace, type SynthFace } from '../../nas/index.ts';

export const PREVIEW_SIZES = [32, 48, 64, 96, 112, 128] as const;
export const PREVIEW_COUNTS = [12, 24, 48] as const;

export class SynthPreview {
  seed = $state(1);
  size = $state(64);
  difficulty = $state(0.5);
  count = $state(24);
  faces = $state.raw<SynthFace[]>([]);
  /** side of the faces shown (the size control may already say something else while they regenerate) */
  shownSize = $state(64);
  generating = $state(false);
  /** face shown large */
  selected = $state(0);
  private run = 0;

  async generate(): Promise<void> {
    const run = ++this.run;
    const { seed, size, difficulty, count } = this;
    this.generating = true;
    const out: SynthFace[] = [];
    for (let i = 0; i < count; i++) {
      out.push(generateFace(faceSeed(seed, i), size, difficulty));
      if (i % 4 === 3) {
        this.faces = out.slice(); // show faces as they come
        this.shownSize = size;
        await new Promise((r) => requestAnimationFrame(r));
        if (run !== this.run) return; // settings changed meanwhile: a newer run owns the grid
      }
    }
    this.faces = out;
    this.shownSize = size;
    if (this.selected >= out.length) this.selected = 0;
    this.generating = false;
  }

  newSeed(): Promise<void> {
    this.seed = (this.seed + 1) >>> 0;
    return this.generate();
  }
}
