/**
 * The outer frame of a share token: `<version>[z].<base64url>`. For v1+ the base64url bytes are a CRC-32 of
 * the marker and the JSON (4 bytes, big-endian) followed by the JSON, raw-deflated when the marker has `z`.
 * The checksum covers the uncompressed JSON, so truncation and hand edits are caught whether or not the
 * body was compressed. v0 (the first prototype) was bare base64url JSON: no checksum, no compression.
 */
import { deflateSync, inflateSync } from 'fflate';
import { fromBase64Url, toBase64Url } from './base64url.ts';
import { crc32 } from './checksum.ts';
import { ShareError } from './errors.ts';

export const CURRENT_VERSION = 1;
/** No link this app writes comes near these; they bound the work a hostile link can cause. */
export const MAX_TOKEN_CHARS = 16_384;
const MAX_JSON_BYTES = 65_536;

const TOKEN = /^(\d{1,6})(z?)\.([A-Za-z0-9_-]*)$/;

export interface Envelope {
  version: number;
  payload: unknown;
}

const utf8 = new TextEncoder();
const corrupt = (why: string) =>
  new ShareError(
    'corrupt',
    `This link is incomplete or has been altered (${why}). Copy the whole link again from where it was shared.`,
  );

function marked(marker: string, json: Uint8Array): Uint8Array {
  const m = utf8.encode(marker);
  const all = new Uint8Array(m.length + json.length);
  all.set(m);
  all.set(json, m.length);
  return all;
}

/** Frames a JSON-able payload in the current version, compressing only when that is shorter. */
export function pack(payload: unknown): string {
  const json = utf8.encode(JSON.stringify(payload));
  const packed = deflateSync(json, { level: 9 });
  const z = packed.length + 1 < json.length;
  const marker = `${CURRENT_VERSION}${z ? 'z' : ''}.`;
  const body = z ? packed : json;
  const crc = crc32(marked(marker, json));
  const bytes = new Uint8Array(4 + body.length);
  new DataView(bytes.buffer).setUint32(0, crc);
  bytes.set(body, 4);
  return marker + toBase64Url(bytes);
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** Reads the frame; throws ShareError for anything that cannot be trusted. */
export function unpack(token: string): Envelope {
  const text = token.trim();
  if (text === '') throw new ShareError('empty', 'The link holds no experiment (nothing after "#x=").');
  if (text.length > MAX_TOKEN_CHARS)
    throw new ShareError(
      'too-long',
      `The link is too long to be a shared experiment (${text.length} characters).`,
    );
  const m = TOKEN.exec(text);
  if (!m) throw new ShareError('not-a-share-link', 'This is not a NAS Playground experiment link.');
  const version = Number(m[1]);
  const compressed = m[2] === 'z';
  if (version > CURRENT_VERSION)
    throw new ShareError(
      'newer-version',
      `This link was made by a newer version of NAS Playground (link format v${version}; this app reads up to ` +
        `v${CURRENT_VERSION}). Reload the page to get the latest app, then open the link again.`,
    );
  const bytes = fromBase64Url(m[3]);
  if (!bytes) throw corrupt('its data is cut off or has characters that do not belong');

  if (version === 0) {
    if (compressed) throw corrupt('old links were never compressed');
    const payload = parseJson(bytes);
    if (payload === undefined) throw corrupt('its data is not readable');
    return { version, payload };
  }

  if (bytes.length < 4 + 2) throw corrupt('its data is cut off');
  const expected = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  let json: Uint8Array = bytes.subarray(4);
  if (compressed) {
    try {
      // one spare byte tells us the output was cut at the limit
      json = inflateSync(json, { out: new Uint8Array(MAX_JSON_BYTES + 1) });
    } catch {
      throw corrupt('its compressed data is cut off or damaged');
    }
    if (json.length > MAX_JSON_BYTES) throw corrupt('its data expands to more than any experiment needs');
  }
  if (crc32(marked(`${m[1]}${m[2]}.`, json)) !== expected) throw corrupt('its checksum does not match');
  const payload = parseJson(json);
  if (payload === undefined) throw corrupt('its data is not readable');
  return { version, payload };
}
