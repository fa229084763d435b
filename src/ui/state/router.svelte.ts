/**
 * Area navigation in the location hash (`#/search`), so areas are linkable and survive reload.
 * Anything after the first `&` (e.g. `&x=<share token>`) is left for the share-link codec.
 */
export const AREAS = ['home', 'learn', 'search', 'data', 'results', 'runs'] as const;
export type Area = (typeof AREAS)[number];

function parseArea(hash: string): Area {
  const name = hash.replace(/^#\/?/, '').split(/[?&]/)[0];
  return (AREAS as readonly string[]).includes(name) ? (name as Area) : 'home';
}

export class Router {
  area = $state<Area>(parseArea(location.hash));

  constructor() {
    addEventListener('hashchange', () => (this.area = parseArea(location.hash)));
  }

  go(area: Area): void {
    const amp = location.hash.indexOf('&');
    const rest = amp >= 0 ? location.hash.slice(amp) : '';
    history.replaceState(null, '', `#/${area}${rest}`);
    this.area = area;
  }

  /** Replaces the hash's parameters (after the area) without adding a history entry. */
  setParams(params: string): void {
    const next = `#/${this.area}${params ? `&${params}` : ''}`;
    if (location.hash !== next) history.replaceState(null, '', next);
  }
}

export const router = new Router();
