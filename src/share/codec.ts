/**
 * Share links: `encodeShare` turns an experiment into a URL-safe token (for `#x=<token>`), `decodeShare`
 * reads one back, migrating old formats and repairing bad fields with warnings. Only links that cannot be
 * trusted or read at all throw a ShareError.
 */
import { CURRENT_VERSION, pack, unpack } from './envelope.ts';
import { ShareError, type ShareWarning } from './errors.ts';
import { MIGRATIONS } from './migrations.ts';
import type { ShareContext, SharedExperiment } from './types.ts';
import { decodeV1 } from './decode-v1.ts';
import { toWireV1 } from './wire-v1.ts';

export function encodeShare(s: SharedExperiment): string {
  return pack(toWireV1(s));
}

export function decodeShare(
  text: string,
  ctx: ShareContext,
): { value: SharedExperiment; warnings: ShareWarning[] } {
  const { version, payload } = unpack(text);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw new ShareError('invalid', 'This link is intact but does not describe an experiment.');
  let p = payload as Record<string, unknown>;
  for (let v = version; v < CURRENT_VERSION; v++) p = MIGRATIONS[v](p);
  return decodeV1(p, ctx);
}
