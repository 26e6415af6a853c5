// Values as JSON text that comes back as it went: JSON, with the few values plain JSON loses written as tagged objects
// (a Set of defect knobs, an EEPROM image, NaN and the infinities). Used for job payloads and results in Redis
// (cli/queue) and for a large scenario's validated steps kept between the check and the run (scenarios/packed-steps.ts).
const TAG = '$osm';

function replacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Set) return { [TAG]: 'set', v: [...raw] };
  if (raw instanceof Uint8Array) return { [TAG]: 'u8', v: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  if (typeof raw === 'number' && !Number.isFinite(raw)) return { [TAG]: 'num', v: String(raw) };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !(TAG in value)) return value;
  const o = value as { [TAG]: string; v: unknown };
  switch (o[TAG]) {
    case 'set': return new Set(o.v as unknown[]);
    case 'u8': return new Uint8Array(Buffer.from(String(o.v), 'base64'));
    case 'num': return Number(o.v);
    default: throw new SyntaxError(`unknown tagged value '${String(o[TAG])}'`);
  }
}

export function toWire(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** Parse wire text; throws a SyntaxError on anything that is not. */
export function fromWire<T = unknown>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
