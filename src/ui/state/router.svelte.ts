/**
 * Area navigation in the location hash (`#/search`), so areas are linkable and survive reload.
 * Anything after `?` in the hash is left for the share-link codec.
 */
export const AREAS = ['home', 'learn', 'search', 'data', 'results'] as const;
export type Area = (typeof AREAS)[number];

function parseArea(hash: string): Area {
  const name = hash.replace(/^#\/?/, '').split('?')[0];
  return (AREAS as readonly string[]).includes(name) ? (name as Area) : 'home';
}

export class Router {
  area = $state<Area>(parseArea(location.hash));

  constructor() {
    addEventListener('hashchange', () => (this.area = parseArea(location.hash)));
  }

  go(area: Area): void {
    const rest = location.hash.includes('?') ? location.hash.slice(location.hash.indexOf('?')) : '';
    history.replaceState(null, '', `#/${area}${rest}`);
    this.area = area;
  }
}

export const router = new Router();
