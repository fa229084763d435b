/**
 * What can go wrong when opening a shared link. Fixable problems (an out-of-range learning rate, a dataset
 * that is not on this device) become warnings and the link still opens; only links whose bytes cannot be
 * trusted or read at all throw a ShareError.
 */

/** A repaired field: `path` is the config path ('train.lrWeights'); `message` says what was wrong and what
 *  was used instead. */
export interface ShareWarning {
  path: string;
  message: string;
}

export type ShareErrorCode =
  | 'empty' // nothing after '#x='
  | 'not-a-share-link' // no version marker / illegal characters
  | 'too-long' // longer than any link this app produces
  | 'corrupt' // truncated or altered: base64, decompression or checksum failed
  | 'newer-version' // made by a newer app than this one
  | 'invalid'; // intact bytes that do not hold an experiment

export class ShareError extends Error {
  readonly code: ShareErrorCode;

  constructor(code: ShareErrorCode, message: string) {
    super(message);
    this.name = 'ShareError';
    this.code = code;
  }
}
