/**
 * Where a share token lives in the page address: `#x=<token>` (the hash never reaches a server, so a
 * static host can serve any experiment). Other `&key=value` pairs in the hash are left to their owners.
 */
import { decodeShare, encodeShare } from './codec.ts';
import { ShareError, type ShareWarning } from './errors.ts';
import type { ShareContext, SharedExperiment } from './types.ts';

export const SHARE_HASH_KEY = 'x';

export type ShareReadResult =
  { ok: true; value: SharedExperiment; warnings: ShareWarning[] } | { ok: false; error: ShareError };

/** `#x=<token>` for `location.hash`. */
export function shareHash(s: SharedExperiment): string {
  return `#${SHARE_HASH_KEY}=${encodeShare(s)}`;
}

/** The full link: `base` is origin + path (any query kept, any existing hash replaced). */
export function shareLink(base: string, s: SharedExperiment): string {
  const cut = base.indexOf('#');
  return (cut < 0 ? base : base.slice(0, cut)) + shareHash(s);
}

/** The raw token in a hash, or null when the hash carries no share. */
export function shareTokenFromHash(hash: string): string | null {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of body.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq) !== SHARE_HASH_KEY) continue;
    const value = part.slice(eq + 1);
    try {
      // our tokens never need escaping, but chat apps and mail clients sometimes escape anyway
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}

/** Reads `location.hash`: null when there is no share in it, otherwise the decoded experiment or the error. */
export function readShareFromLocation(hash: string, ctx: ShareContext): ShareReadResult | null {
  const token = shareTokenFromHash(hash);
  if (token === null) return null;
  try {
    return { ok: true, ...decodeShare(token, ctx) };
  } catch (e) {
    if (e instanceof ShareError) return { ok: false, error: e };
    throw e;
  }
}
