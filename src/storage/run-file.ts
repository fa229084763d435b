/**
 * A run as one file, to carry it to another browser: the record (experiment, metric history, derived
 * architectures) and optionally the weights of its last checkpoint. The file is JSON with typed arrays as
 * base64 and a CRC-32 of the body, so a truncated or edited file is refused with a message instead of
 * importing something half-read.
 */
import { crc32 } from '../share/checksum.ts';
import type { CheckpointInfo } from './checkpoints.ts';
import { isRunId, type RunRecord, type RunStatus } from './runs.ts';

export const RUN_FILE_KIND = 'nas-playground-run';
export const RUN_FILE_VERSION = 1;

export interface RunFileWeights {
  info: CheckpointInfo;
  state: unknown;
}

export interface RunFile {
  run: RunRecord;
  weights?: RunFileWeights;
}

export class RunFileError extends Error {
  constructor(why: string) {
    super(`This is not a run file that can be imported: ${why}.`);
    this.name = 'RunFileError';
  }
}

const F32 = '$f32';
const U8 = '$u8';
const I32 = '$i32';

function b64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function unb64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** JSON with the typed arrays checkpoints hold (Float32Array weights, Int32Array/Uint8Array states). */
function encodeValue(v: unknown): unknown {
  if (v instanceof Float32Array) return { [F32]: b64(bytesOf(v)) };
  if (v instanceof Int32Array) return { [I32]: b64(bytesOf(v)) };
  if (v instanceof Uint8Array) return { [U8]: b64(v) };
  if (ArrayBuffer.isView(v)) return { [F32]: b64(bytesOf(new Float32Array(Array.from(v as never)))) };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x)]));
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  return v;
}

function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o[keys[0]] === 'string') {
      const text = o[keys[0]] as string;
      if (keys[0] === F32) return new Float32Array(copyBuffer(unb64(text), 4));
      if (keys[0] === I32) return new Int32Array(copyBuffer(unb64(text), 4));
      if (keys[0] === U8) return unb64(text);
      if (keys[0] === '$num') return Number(text);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeValue(x)]));
  }
  return v;
}

function copyBuffer(bytes: Uint8Array, align: number): ArrayBuffer {
  if (bytes.length % align) throw new RunFileError('its weights are cut off');
  return bytes.slice().buffer;
}

/** The file's text. */
export function encodeRunFile(file: RunFile): string {
  const body = JSON.stringify(encodeValue(file));
  const checksum = crc32(new TextEncoder().encode(body));
  return JSON.stringify({ kind: RUN_FILE_KIND, version: RUN_FILE_VERSION, checksum, body });
}

const STATUSES: RunStatus[] = ['running', 'paused', 'finished', 'diverged', 'interrupted'];

function checkRecord(r: unknown): RunRecord {
  if (!r || typeof r !== 'object') throw new RunFileError('it holds no run');
  const x = r as Partial<RunRecord>;
  if (!isRunId(x.id)) throw new RunFileError('the run has no valid id');
  if (typeof x.name !== 'string') throw new RunFileError('the run has no name');
  if (!x.experiment || typeof x.experiment !== 'object') throw new RunFileError('the run has no experiment');
  if (!STATUSES.includes(x.status as RunStatus)) throw new RunFileError('the run has an unknown status');
  for (const k of ['history', 'evals', 'derived'] as const)
    if (!Array.isArray(x[k])) throw new RunFileError(`the run's ${k} is missing`);
  return x as RunRecord;
}

/** Reads a run file; throws RunFileError (with what is wrong) for anything that cannot be trusted. */
export function decodeRunFile(text: string): RunFile {
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    throw new RunFileError('it is not readable JSON (cut off or damaged?)');
  }
  const o = outer as { kind?: unknown; version?: unknown; checksum?: unknown; body?: unknown };
  if (!o || typeof o !== 'object' || o.kind !== RUN_FILE_KIND)
    throw new RunFileError('it was not exported from the Runs view of NAS Playground');
  if (typeof o.version !== 'number' || o.version > RUN_FILE_VERSION)
    throw new RunFileError(
      `it was written by a newer version of NAS Playground (format v${String(o.version)}); reload to update`,
    );
  if (typeof o.body !== 'string' || typeof o.checksum !== 'number')
    throw new RunFileError('its contents are missing');
  if (crc32(new TextEncoder().encode(o.body)) !== o.checksum)
    throw new RunFileError('its checksum does not match (the file was cut off or edited)');
  let file: RunFile;
  try {
    file = decodeValue(JSON.parse(o.body)) as RunFile;
  } catch (err) {
    if (err instanceof RunFileError) throw err;
    throw new RunFileError('its contents are not readable');
  }
  const run = checkRecord(file?.run);
  // a run that was running when exported is not running here
  const status: RunStatus = run.status === 'running' ? 'interrupted' : run.status;
  return { run: { ...run, status, origin: 'imported' }, weights: file.weights };
}
