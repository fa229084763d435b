/**
 * JSON form of a stored search checkpoint (TrainerState): Float32Arrays become {f32: number[]} so a
 * fixture file round-trips exactly (float32 → double → float32 is lossless).
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function toJsonState(value: unknown): Json {
  if (value instanceof Float32Array) return { f32: Array.from(value) };
  if (Array.isArray(value)) return value.map(toJsonState);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonState(v)]));
  return value as Json;
}

export function fromJsonState<T>(value: Json): T {
  if (Array.isArray(value)) return value.map((v) => fromJsonState(v)) as T;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'f32' && Array.isArray(value.f32))
      return Float32Array.from(value.f32 as number[]) as T;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJsonState(v)])) as T;
  }
  return value as T;
}
