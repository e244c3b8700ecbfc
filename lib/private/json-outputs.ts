/**
 * One key of a JSON object that is spread over several stack outputs, with the size its JSON will have at deploy time.
 */
export interface JsonEntry {
  readonly key: string;
  readonly value: unknown;
  /** The length of `JSON.stringify(value)` once CloudFormation has resolved the values only known at deploy time. */
  readonly bytes: number;
}

/**
 * Spread the entries of one JSON object over as few objects as possible whose JSON is at most `maxBytes` long each,
 * in the given order: the same entries always give the same objects.
 */
export function packJson(entries: readonly JsonEntry[], maxBytes: number): Array<Record<string, unknown>> {
  const chunks: Array<Record<string, unknown>> = [];
  let chunk: Record<string, unknown> = {};
  let count = 0;
  let bytes = 2; // {}
  for (const entry of entries) {
    const entryBytes = Buffer.byteLength(JSON.stringify(entry.key)) + 1 + entry.bytes;
    if (entryBytes + 2 > maxBytes) {
      throw new Error(`The output entry ${entry.key} needs ${entryBytes + 2} bytes, more than the ${maxBytes} bytes of one output`);
    }
    if (count > 0 && bytes + 1 + entryBytes > maxBytes) {
      chunks.push(chunk);
      chunk = {};
      count = 0;
      bytes = 2;
    }
    bytes += (count > 0 ? 1 : 0) + entryBytes;
    chunk[entry.key] = entry.value;
    count++;
  }
  if (count > 0) {
    chunks.push(chunk);
  }
  return chunks;
}
