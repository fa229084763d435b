import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../nas/index.ts';
import { encodeShare } from './codec.ts';
import type { ShareContext } from './types.ts';
import { readShareFromLocation, shareHash, shareLink, shareTokenFromHash } from './url.ts';

const CTX: ShareContext = { spaces: ['classroom'], candidates: ['k3_e1', 'skip'] };
const S = { config: { ...DEFAULT_EXPERIMENT, title: 'Lesson 2' } };

describe('share url helpers', () => {
  it('builds the hash and the full link, replacing any existing hash', () => {
    const token = encodeShare(S);
    expect(shareHash(S)).toBe(`#x=${token}`);
    expect(shareLink('https://example.org/nas-playground/', S)).toBe(
      `https://example.org/nas-playground/#x=${token}`,
    );
    expect(shareLink('https://example.org/app/?lang=de#old', S)).toBe(
      `https://example.org/app/?lang=de#x=${token}`,
    );
  });

  it('reads the share back from a hash, among other hash parameters', () => {
    const link = new URL(shareLink('https://example.org/nas-playground/', S));
    const read = readShareFromLocation(link.hash + '&tab=2', CTX);
    expect(read).toEqual({ ok: true, value: S, warnings: [] });
    expect(readShareFromLocation('#tab=2&x=' + encodeShare(S), CTX)).toEqual(read);
  });

  it('tolerates a percent-escaped token', () => {
    const token = encodeShare(S);
    expect(shareTokenFromHash('#x=' + token.replace('.', '%2E'))).toBe(token);
    expect(shareTokenFromHash('#x=%E0%A4%A')).toBe('%E0%A4%A'); // malformed escape left as is
  });

  it('returns null without a share and an error result for a bad one', () => {
    expect(readShareFromLocation('', CTX)).toBeNull();
    expect(readShareFromLocation('#tab=2', CTX)).toBeNull();
    const bad = readShareFromLocation('#x=9.AAAA', CTX);
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) expect(bad.error.code).toBe('newer-version');
  });
});
