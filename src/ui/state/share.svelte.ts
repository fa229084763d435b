/**
 * Share links in the UI: reads an experiment from the address at start-up, keeps the address in step with
 * the current setup (replaceState, no history entries), and builds the "Copy link" URL.
 */
import { candidateNames, SPACES } from '../../nas/index.ts';
import {
  encodeShare,
  readShareFromLocation,
  shareLink,
  type ShareArea,
  type SharedExperiment,
} from '../../share/index.ts';
import { router } from './router.svelte.ts';
import { search } from './search.svelte.ts';
import { strategies } from './strategies.svelte.ts';
import { v3 } from './v3.svelte.ts';

export class ShareState {
  /** What the opened link said was wrong, and what was used instead. */
  notices = $state<string[]>([]);
  error = $state<string | null>(null);
  /** A result carried by the link, shown before (or instead of) re-running. */
  sharedResult = $state.raw<SharedExperiment['result'] | null>(null);
  /** Controls hidden by a classroom link. */
  hidden = $state<string[]>([]);
  lesson = $state<string | null>(null);
  /** Classroom-link options chosen by the author. */
  hideForLink = $state<string[]>([]);
  areaForLink = $state<ShareArea | ''>('');
  includeResult = $state(true);
  private loaded = $state(false);

  async applyFromLocation(): Promise<void> {
    // the link's area applies unless the user went elsewhere while the stores were read
    const areaAtStart = router.area;
    let datasets: string[] | undefined;
    try {
      const { listDatasets } = await import('../../storage/datasets.ts');
      datasets = (await listDatasets()).filter((d) => d.status === 'complete').map((d) => d.name);
    } catch {
      datasets = undefined; // storage unavailable: user dataset names are kept unchecked
    }
    const read = readShareFromLocation(location.hash, {
      spaces: Object.keys(SPACES),
      candidates: candidateNames(),
      datasets,
    });
    this.loaded = true;
    if (!read) return;
    if (!read.ok) {
      this.error = `This link could not be read: ${read.error.message} The default experiment is shown instead.`;
      return;
    }
    const { value, warnings } = read;
    search.config = value.config;
    if (value.strategies) strategies.applyShared(value.strategies);
    if (value.v3) v3.applyShared(value.v3);
    this.sharedResult = value.result ?? null;
    this.hidden = value.view?.hide ?? [];
    this.lesson = value.view?.lesson ?? null;
    this.notices = warnings.map((w) => `${w.path}: ${w.message}`);
    if (router.area !== areaAtStart) return;
    if (value.view?.area) router.go(value.view.area);
    else if (router.area === 'home') router.go('search');
  }

  current(): SharedExperiment {
    const config = search.snapshot();
    const d = search.derived;
    const lastNme = [...search.evals].reverse().find((e) => e.valNme !== null)?.valNme ?? undefined;
    const result =
      this.includeResult && d
        ? { arch: d.arch, metrics: { macs: d.macs, params: d.params, nme: lastNme, steps: search.step } }
        : (this.sharedResult ?? undefined);
    const view =
      this.hideForLink.length || this.areaForLink
        ? {
            hide: this.hideForLink.length ? [...this.hideForLink] : undefined,
            area: this.areaForLink || undefined,
          }
        : undefined;
    return { config, result, view, strategies: strategies.shared(), v3: v3.shared() };
  }

  link(): string {
    return shareLink(location.href, this.current());
  }

  /** Keeps `#/area&x=…` in step with the setup. Called from an effect that reads the config. */
  syncAddress(): void {
    // Learn keeps its own place in the address (ui/learn/lesson-link.ts)
    if (!this.loaded || router.area === 'learn') return;
    router.setParams(`x=${encodeShare(this.current())}`);
  }
}

export const share = new ShareState();
