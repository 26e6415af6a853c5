// Benchmarks of the scale-out work: fleet meters per core at real time (each meter its own twin, phasor level), the
// embedded broker's telemetry rate (QoS 1 publishes acknowledged per second from many device connections), and the
// Monte Carlo yield through Redis with 1 and 2 `osm worker`s against the plain local run (the queue's overhead).
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { Benchmark } from './benchmark.ts';
import { runFleetMeters, generatedToken, type FleetSpec } from '../scenarios/fleet/fleet.ts';
import { startCommsServers } from '../twin/comms/serve.ts';
import { TelemetryBroker } from '../twin/comms/telemetry-broker.ts';
import { TopupBackend } from '../twin/comms/topup-backend.ts';
import { haveRedisServer, startRedisServer } from '../cli/queue/local-redis.ts';
import { parseRedisUrl } from '../cli/queue/redis-url.ts';
import { runMonteCarloOnQueue } from '../cli/queue/monte-carlo-queue.ts';
import { benchOptionsFor, parseBenchArgs } from '../cli/commands/accuracy-run.ts';
import { runUnit, type MonteCarloJob } from '../scenarios/accuracy/monte-carlo.ts';

const FLEET_GOAL = 10_000;

export const FLEET_BENCHMARK: Benchmark = {
  name: 'fleet-meters-per-core',
  description: `4 fleet meters (STS, households from the library, top-ups) for 6 simulated hours from 18:00 (telemetry at 23:00) on one core; meters per core at real time (goal ${FLEET_GOAL})`,
  async run(progress) {
    const meters = 4;
    const hours = 6;
    const spec: FleetSpec = {
      meters, seed: 1, durationUs: hours * 3600e6, start: '2026-03-02T18:00:00', modes: ['sts'], credit: [200, 500],
      topUp: { everyHours: 8, amount: [100, 500] },
    };
    const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
    const c0 = cpu();
    let setupS = 0;
    const w0 = performance.now();
    await runFleetMeters({ spec, from: 0, to: meters }, () => {}, {
      onReady: () => { setupS = cpu() - c0; },
      onSlice: (t) => progress(`fleet: ${(t / 3600e6).toFixed(1)} h`),
    });
    const cpuS = cpu() - c0 - setupS;
    const wallS = (performance.now() - w0) / 1000;
    // meter-seconds simulated per CPU-second: the meters one core keeps at real time (setup excluded: once per run)
    const perCore = (meters * hours * 3600) / cpuS;
    const perDay = (cpuS / (meters * hours)) * 24;
    return [
      `${meters} meters x ${hours} h simulated in ${cpuS.toFixed(1)} s CPU after ${setupS.toFixed(2)} s CPU of setup (${wallS.toFixed(1)} s wall)`,
      `meters per core at real time in a fleet (phasor fidelity): ${Math.round(perCore)} (goal ${FLEET_GOAL}: ${perCore >= FLEET_GOAL ? 'met' : `missed, x${(FLEET_GOAL / perCore).toFixed(1)} short`})`,
      `one meter-day costs ${perDay.toFixed(1)} s CPU: 1,000 meter-days ${(perDay * 1000 / 3600).toFixed(1)} CPU-hours`,
    ];
  },
};

export const BROKER_BENCHMARK: Benchmark = {
  name: 'broker-messages',
  description: 'the embedded ThingsBoard broker: 200 device connections (own tokens) publishing telemetry with QoS 1; acknowledged messages per second',
  async run(progress) {
    const devices = 200;
    const perDevice = 50;
    const tokens = Array.from({ length: devices }, (_, i) => generatedToken(9, i));
    const broker = new TelemetryBroker({ tokens });
    const servers = await startCommsServers({ mqttPort: 0, backendPort: 0, comms: { backend: new TopupBackend(), broker } });
    let received = 0;
    broker.onTelemetry = () => { received++; };
    const clients = await Promise.all(tokens.map((t) => new Promise<mqtt.MqttClient>((resolve, reject) => {
      const c = mqtt.connect(`mqtt://127.0.0.1:${servers.mqttPort}`, { username: t, reconnectPeriod: 0 });
      c.once('connect', () => resolve(c));
      c.once('error', reject);
    })));
    progress('broker: publishing');
    const w0 = performance.now();
    await Promise.all(clients.map((c, i) => (async () => {
      for (let k = 0; k < perDevice; k++) await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ energy: k / 10, credit: 1000 - k, device: i }), { qos: 1 });
    })()));
    const s = (performance.now() - w0) / 1000;
    await Promise.all(clients.map((c) => c.endAsync()));
    await servers.close();
    await broker.close();
    servers.backend.server.close();
    const n = devices * perDevice;
    return [`${n} messages from ${devices} devices acknowledged in ${s.toFixed(2)} s: ${Math.round(n / s)} messages/s (${received} parsed as telemetry)`];
  },
};

function mcJob(units: number): MonteCarloJob {
  const b = benchOptionsFor(parseBenchArgs({ points: 'full' }, [], { judge: 'chip' }));
  return {
    units, seed: 3, points: 'full', whatIf: [], meterConstant: b.meterConstant, meterConstantSource: b.meterConstantSource,
    defects: [...b.defects], firmwareLabel: b.firmwareLabel, judge: b.judge, gatePulses: b.gatePulses, gateCalls: b.gateCalls,
    calibrate: false, fidelity: 'phasor',
  };
}

/** Repetitions of each timed run of the queue benchmark: the fastest counts (other work on the machine only slows a run down). */
const QUEUE_REPS = 3;
/**
 * Two campaign sizes (units), both in jobs of QUEUE_CHUNK units: a campaign through the queue costs a fixed latency
 * (a worker finds a new campaign on its next poll of the campaign list, once a second; the submitter looks for
 * finished jobs every 250 ms) plus a time per unit; the two sizes separate them. A warm unit takes milliseconds, so
 * a job must hold many for the queue's own cost per job to be measured against real work. The units run the full
 * class-1 table (about 0.15 s a unit): with the seed points (milliseconds a unit) the poll latencies swamp the work.
 */
const QUEUE_SIZES = [12, 48] as const;
const QUEUE_CHUNK = 6;

export const QUEUE_BENCHMARK: Benchmark = {
  name: 'queue-overhead',
  description: `Monte Carlo units per minute (the full class-1 table, ${QUEUE_CHUNK} units per job, campaigns of ${QUEUE_SIZES.join(' and ')} units, the fastest of ${QUEUE_REPS} runs each): one warm local thread against 1 and 2 warm osm workers through a local redis-server: the queue's overhead per unit (%) and per campaign (s)`,
  async run(progress) {
    if (!haveRedisServer()) return ['skipped: redis-server is not installed (apt-get install redis-server)'];
    // The fastest of QUEUE_REPS runs: on a shared machine a run is only ever slowed by other work, never sped up, so
    // the minimum is the least noisy estimate of each configuration's own cost.
    const fastest = async (what: string, once: () => Promise<void>): Promise<number> => {
      let best = Infinity;
      for (let r = 0; r < QUEUE_REPS; r++) {
        progress(`Monte Carlo: ${what}, run ${r + 1}/${QUEUE_REPS}`);
        const w0 = performance.now();
        await once();
        best = Math.min(best, (performance.now() - w0) / 1000);
      }
      return best;
    };
    const [small, large] = QUEUE_SIZES;
    // Local: the units in this thread after a warm-up job's worth of units (the simulator loaded and compiled, as in
    // a warm worker); seconds per unit.
    const local = mcJob(large);
    for (let i = 0; i < QUEUE_CHUNK; i++) await runUnit(local, i);
    const localS = await fastest('local', async () => { for (let i = 0; i < large; i++) await runUnit(local, i); });
    const localPerUnit = localS / large;
    const server = await startRedisServer();
    const children: ChildProcess[] = [];
    const lines = [`local, this thread (warm): ${(60 / localPerUnit).toFixed(0)} units/min (${(localPerUnit * 1000).toFixed(2)} ms a unit)`];
    const quietIo = { io: { stdout: process.stdout, stderr: { write: () => true } }, quiet: true };
    try {
      for (const n of [1, 2]) {
        while (children.length < n) {
          const child = spawn(process.execPath, [new URL('../cli/osm.js', import.meta.url).pathname, 'worker', '--redis', server.url, '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
          children.push(child);
        }
        progress(`Monte Carlo: ${n} worker(s) via Redis, warming up`);
        // Warm-up: a job for each worker, so that every one has loaded and compiled the simulator before the timed draws.
        await runMonteCarloOnQueue(mcJob(n * QUEUE_CHUNK), { target: parseRedisUrl(server.url), chunk: QUEUE_CHUNK }, quietIo);
        const t: number[] = [];
        for (const units of QUEUE_SIZES) {
          t.push(await fastest(`${n} worker(s) via Redis, ${units} units`, async () => {
            await runMonteCarloOnQueue(mcJob(units), { target: parseRedisUrl(server.url), chunk: QUEUE_CHUNK }, quietIo);
          }));
        }
        const perUnit = (t[1] - t[0]) / (large - small);
        const fixed = t[0] - small * perUnit;
        const rate = ` ${(60 / perUnit).toFixed(0)} units/min in a long campaign (campaigns of ${small} and ${large} units: ${t[0].toFixed(2)} s and ${t[1].toFixed(2)} s; locally ${(small * localPerUnit).toFixed(2)} s and ${(large * localPerUnit).toFixed(2)} s)`;
        lines.push(n === 1
          ? `1 worker via Redis:${rate} (queue overhead per unit ${(((perUnit - localPerUnit) / localPerUnit) * 100).toFixed(1)} % against local; ${fixed.toFixed(2)} s per campaign)`
          : `2 workers via Redis:${rate} (x${(localPerUnit / perUnit).toFixed(2)} the local rate; ${fixed.toFixed(2)} s per campaign)`);
      }
    } finally {
      for (const c of children) c.kill('SIGTERM');
      await server.stop();
    }
    return lines;
  },
};
