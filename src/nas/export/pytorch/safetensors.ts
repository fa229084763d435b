/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
 * { name: { dtype, shape, data_offsets: [begin, end] } } relative to the byte buffer after it, padded with
 * spaces to a multiple of 8, then the raw little-endian tensors. Simple enough to write by hand, and the
 * exported project reads it with its own tiny loader (safetensors_io.py), so no package is needed there.
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  /** float32 values, or int64 as a BigInt64Array. */
  data: Float32Array | BigInt64Array;
}

/** Tensors in the given order (the order is the file's, so equal inputs give equal bytes). */
export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`safetensors: tensor "${t.name}" written twice`);
    seen.add(t.name);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = t.data.byteLength;
    header[t.name] = {
      dtype: t.data instanceof Float32Array ? 'F32' : 'I64',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  // the header is padded with spaces so the data starts 8-byte aligned
  const head = new Uint8Array(raw.length + ((8 - (raw.length % 8)) % 8)).fill(0x20);
  head.set(raw);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    // typed arrays are little-endian on every platform tfjs runs on; write explicitly anyway
    if (t.data instanceof Float32Array) {
      for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
    } else {
      for (let i = 0; i < t.data.length; i++, at += 8) view.setBigInt64(at, t.data[i], true);
    }
  }
  return out;
}
