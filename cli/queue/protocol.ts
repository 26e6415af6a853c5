// What travels through a campaign's BullMQ queue: one job is a chunk of the work (runs of a campaign, units of a
// Monte Carlo draw, meters of a fleet), as `{ v, kind, chunk, body }` with the body as wire text (wire.ts). A worker
// checks every job before running it: a job of another format version, of an unknown kind, or whose body is not what
// its kind needs is rejected with the reason (into the queue's failed list), never run and never a crash.
import { fromWire } from '../../io/wire.ts';

/** The job format this osm speaks; a worker refuses jobs of any other. */
export const PROTOCOL_VERSION = 1;

export const CHUNK_KINDS = ['campaign', 'monte-carlo', 'fleet'] as const;
export type ChunkKind = typeof CHUNK_KINDS[number];

/** A job's data as stored in Redis. */
export interface JobData {
  v: number;
  kind: ChunkKind;
  /** Position of the chunk in the campaign: results are merged in this order. */
  chunk: number;
  /** The chunk's payload, as wire text. */
  body: string;
}

/** A job that cannot be run, with the reason a user reads in the failed list. */
export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

/** A chunk of a campaign: whole runs (loaded scenarios with their seeds and cells), as campaign.ts plans them. */
function checkCampaign(body: Record<string, unknown>): number {
  const jobs = body.jobs;
  if (!Array.isArray(jobs) || jobs.length === 0) throw new MalformedJobError('a campaign chunk needs a non-empty array jobs');
  jobs.forEach((j, i) => {
    if (!isObject(j)) throw new MalformedJobError(`jobs[${i}] is not an object`);
    if (!isIndex(j.index)) throw new MalformedJobError(`jobs[${i}].index is not a whole number >= 0`);
    if (typeof j.seed !== 'number' || !Number.isInteger(j.seed)) throw new MalformedJobError(`jobs[${i}].seed is not a whole number`);
    if (j.speed !== 'max' && !(typeof j.speed === 'number' && j.speed > 0)) throw new MalformedJobError(`jobs[${i}].speed is neither max nor a factor > 0`);
    const s = j.scenario;
    if (!isObject(s) || typeof s.file !== 'string' || !Array.isArray(s.steps) || !isObject(s.meter) || !isObject(s.plant)) {
      throw new MalformedJobError(`jobs[${i}].scenario is not a loaded scenario (file, meter, plant, steps)`);
    }
  });
  return jobs.length;
}

/** A range of Monte Carlo units: [from, to) of the draw `job` (monte-carlo.ts). */
function checkUnits(body: Record<string, unknown>, what: string, specKey: string, countKey: string): number {
  const spec = body[specKey];
  if (!isObject(spec)) throw new MalformedJobError(`a ${what} chunk needs the object ${specKey}`);
  const total = spec[countKey];
  if (!isIndex(total) || total < 1) throw new MalformedJobError(`${specKey}.${countKey} is not a whole number >= 1`);
  const { from, to } = body;
  if (!isIndex(from) || !isIndex(to) || from >= to || to > total) {
    throw new MalformedJobError(`from/to must be whole numbers with 0 <= from < to <= ${total}, got ${String(from)}..${String(to)}`);
  }
  return to - from;
}

function checkMonteCarlo(body: Record<string, unknown>): number {
  const n = checkUnits(body, 'Monte Carlo', 'job', 'units');
  const job = body.job as Record<string, unknown>;
  if (typeof job.seed !== 'number' || !Number.isInteger(job.seed)) throw new MalformedJobError('job.seed is not a whole number');
  if (job.points !== 'full' && job.points !== 'seed') throw new MalformedJobError(`job.points is neither full nor seed`);
  if (!Array.isArray(job.whatIf) || !Array.isArray(job.defects)) throw new MalformedJobError('job.whatIf and job.defects must be arrays');
  return n;
}

/** Meters [from, to) of a fleet (scenarios/fleet/fleet.ts). */
function checkFleet(body: Record<string, unknown>): number {
  const n = checkUnits(body, 'fleet', 'spec', 'meters');
  const spec = body.spec as Record<string, unknown>;
  if (typeof spec.durationUs !== 'number' || !(spec.durationUs > 0)) throw new MalformedJobError('spec.durationUs is not a time > 0');
  if (typeof spec.start !== 'string' || !Array.isArray(spec.modes) || spec.modes.length === 0) throw new MalformedJobError('spec.start and spec.modes are missing');
  if (body.brokerUrl !== undefined && typeof body.brokerUrl !== 'string') throw new MalformedJobError('brokerUrl is not text');
  return n;
}

const CHECKS: Record<ChunkKind, (body: Record<string, unknown>) => number> = {
  campaign: checkCampaign,
  'monte-carlo': checkMonteCarlo,
  fleet: checkFleet,
};

export interface DecodedJob {
  kind: ChunkKind;
  chunk: number;
  body: Record<string, unknown>;
  /** Items (runs, units, meters) in the chunk. */
  items: number;
}

/** Check a job's data; throws MalformedJobError with the reason. */
export function decodeJob(data: unknown): DecodedJob {
  if (!isObject(data)) throw new MalformedJobError(`garbage payload: the job's data is ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}, not an object`);
  if (data.v !== PROTOCOL_VERSION) {
    throw new MalformedJobError(`job format version ${JSON.stringify(data.v)}; this worker reads version ${PROTOCOL_VERSION} (run the same osm version on the workers as on the machine that submits)`);
  }
  if (!(CHUNK_KINDS as readonly unknown[]).includes(data.kind)) throw new MalformedJobError(`garbage payload: unknown kind ${JSON.stringify(data.kind)} (expected ${CHUNK_KINDS.join(', ')})`);
  if (!isIndex(data.chunk)) throw new MalformedJobError('garbage payload: chunk is not a whole number >= 0');
  if (typeof data.body !== 'string') throw new MalformedJobError('garbage payload: body is not text');
  let body: unknown;
  try { body = fromWire(data.body); } catch (err) {
    throw new MalformedJobError(`garbage payload: the body is not readable (${(err as Error).message})`);
  }
  if (!isObject(body)) throw new MalformedJobError('garbage payload: the body is not an object');
  const kind = data.kind as ChunkKind;
  let items: number;
  try { items = CHECKS[kind](body); } catch (err) {
    if (err instanceof MalformedJobError) throw new MalformedJobError(`garbage payload (${kind}): ${err.message}`);
    throw err;
  }
  return { kind, chunk: data.chunk, body, items };
}
