/** Placeholder resolved when the latency-table store lands (see cost-source.ts). */
export async function loadLatencyTable(
  _key: string,
): Promise<{ costTable: number[][]; fixedMs: number } | undefined> {
  return undefined;
}
