// Scale-out on a real Redis (Debian redis-server, started here on a free loopback port with no persistence, stopped
// after; skipped where it is absent): `osm worker` processes take the jobs of a Monte Carlo draw and of a library
// campaign, and the merged reports are byte-identical to the local run's with 1, 2 and 4 workers, also when a worker
// is killed with -9 mid-job; malformed jobs go to the failed list with their reason; a job past its time limit fails
// keeping its finished runs; two campaigns on one Redis do not mix; an unreachable Redis is one clear line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort, haveRedisServer, startRedisServer, type RedisServer } from '../cli/queue/local-redis.ts';
import { parseBenchArgs, benchOptionsFor } from '../cli/commands/accuracy-run.ts';
import { runMonteCarlo, type MonteCarloJob } from '../scenarios/accuracy/monte-carlo.ts';
import { runMonteCarloOnQueue } from '../cli/queue/monte-carlo-queue.ts';
import { parseRedisUrl } from '../cli/queue/redis-url.ts';
import { PREFIX, queueName, registerCampaign, unregisterCampaign } from '../cli/queue/registry.ts';
import { PROTOCOL_VERSION } from '../cli/queue/protocol.ts';
import { toWire } from '../io/wire.ts';
import type { CliIo } from '../cli/command.ts';
import { generatedToken } from '../scenarios/fleet/fleet.ts';
import { startFleetBroker } from '../scenarios/fleet/fleet-broker.ts';

const root = new URL('..', import.meta.url).pathname;
const osm = join(root, 'cli', 'osm.js');
const have = haveRedisServer();
const PASSWORD = 'fleet-test-pw';

let server: RedisServer | undefined;
const workers: Array<{ child: ChildProcess; name: string; log: () => string }> = [];

function startWorker(url: string): Promise<{ child: ChildProcess; name: string; log: () => string }> {
  return new Promise((resolve, reject) => {
    const name = `w${workers.length + 1}`;
    const child = spawn(process.execPath, [osm, 'worker', '--redis', url, '--name', name], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('waiting for jobs')) resolve(w);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
    const w = { child, name, log: () => err };
    workers.push(w);
  });
}

const silent: CliIo = { stdout: { write: () => true }, stderr: { write: () => true } };

function mcJob(units: number, seed: number, points: 'seed' | 'full' = 'seed'): MonteCarloJob {
  const a = parseBenchArgs({ points }, [], { judge: 'chip' });
  const b = benchOptionsFor(a);
  return {
    units, seed, points, whatIf: [], meterConstant: b.meterConstant, meterConstantSource: b.meterConstantSource,
    defects: [...b.defects], firmwareLabel: b.firmwareLabel, judge: b.judge, gatePulses: b.gatePulses, gateCalls: b.gateCalls,
    calibrate: false, fidelity: 'phasor',
  };
}

const UNITS = 12;
let local: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [osm, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d; });
    child.stderr!.on('data', (d: Buffer) => { stderr += d; });
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

if (!have) {
  test.skip('redis-server is not installed (apt-get install redis-server): the queue tests are skipped', () => {});
} else {
  test.before(async () => {
    server = await startRedisServer({ password: PASSWORD });
    local = JSON.stringify(await runMonteCarlo(mcJob(UNITS, 7), { workers: 1 }));
  });
  test.after(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await server?.stop();
  });

  test('a Monte Carlo draw through Redis with 1, 2 and 4 osm workers gives the local run\'s report byte for byte', async () => {
    const target = parseRedisUrl(server!.url);
    for (const want of [1, 2, 4]) {
      while (workers.length < want) await startWorker(server!.url);
      const r = await runMonteCarloOnQueue(mcJob(UNITS, 7), { target, chunk: 1 }, { io: silent, quiet: true });
      assert.equal(r.failed, []);
      assert.is(JSON.stringify(r.result), local, `${want} workers`);
    }
  });

  test('a worker killed with -9 in the middle of a job loses nothing: the job is taken again and counted once', async () => {
    const target = parseRedisUrl(server!.url);
    const url = new URL(server!.url);
    const watcher = new Redis({ host: url.hostname, port: Number(url.port), password: PASSWORD, maxRetriesPerRequest: null });
    const alive = (x: { child: ChildProcess }) => x.child.exitCode === null && x.child.signalCode === null;
    let killed = '';
    let killedChunk = -1;
    let stop = false;
    // Catch a worker holding an unfinished job (a job of 4 units runs for about a second). To be sure the kill falls
    // mid-job and not just after the job was finished, the worker is frozen first (SIGSTOP), the job is read again
    // after its last writes could have landed, and only a job still active under that worker is a kill (-9);
    // otherwise the worker is let go on (SIGCONT) and the watch goes on.
    const queues = new Map<string, Queue>();
    const watch = (async () => {
      while (!stop && !killed) {
        for (const id of await watcher.smembers(`${PREFIX}:campaigns`)) {
          if (!queues.has(id)) queues.set(id, new Queue(queueName(id), { connection: watcher, prefix: PREFIX }));
          const q = queues.get(id)!;
          for (const j of await q.getJobs(['active'])) {
            const w = workers.find((x) => x.name === j.processedBy && alive(x));
            if (!w || killed) continue;
            w.child.kill('SIGSTOP');
            await new Promise((r) => setTimeout(r, 300));
            const again = await q.getJob(String(j.id));
            if (again && again.processedBy === w.name && (await again.getState()) === 'active' && again.finishedOn === undefined) {
              killed = w.name;
              killedChunk = Number(String(j.id).replace(/^chunk-/, ''));
              w.child.kill('SIGKILL');
            } else {
              w.child.kill('SIGCONT');
            }
          }
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      const r = await runMonteCarloOnQueue(mcJob(UNITS, 7), { target, chunk: 4, lockMs: 3000 }, { io: silent, quiet: true });
      assert.ok(killed, 'a worker was killed mid-job');
      assert.equal(r.failed, []);
      // the job it held was finished by another worker (the killed one may have finished an earlier job)
      assert.ok(r.chunkWorkers[killedChunk] !== undefined && r.chunkWorkers[killedChunk] !== killed,
        `job ${killedChunk} was taken again: finished by ${String(r.chunkWorkers[killedChunk])}, killed ${killed}`);
      assert.is(JSON.stringify(r.result), local);
    } finally {
      stop = true;
      await watch.catch(() => {});
      for (const q of queues.values()) await q.close();
      watcher.disconnect();
    }
  });

  test('osm run --queue of library scenarios writes the same --report bytes as the local campaign', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-queue-'));
    try {
      const files = ['tamper.yaml', 'boot-screens.yaml', 'sag-d11.yaml'].map((f) => join(root, 'scenarios', 'library', f));
      const [q, l] = await Promise.all([
        runCli(['run', ...files, '--queue', server!.url, '--report', join(dir, 'q.json'), '-q']),
        runCli(['run', ...files, '--workers', '1', '--report', join(dir, 'l.json'), '-q']),
      ]);
      assert.is(q.code, l.code, q.stderr);
      assert.is(readFileSync(join(dir, 'q.json'), 'utf8'), readFileSync(join(dir, 'l.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('two Monte Carlo draws on one Redis at once each get their own units (queues per campaign id)', async () => {
    const target = parseRedisUrl(server!.url);
    const [a, b] = await Promise.all([
      runMonteCarloOnQueue(mcJob(4, 7), { target, chunk: 1 }, { io: silent, quiet: true }),
      runMonteCarloOnQueue(mcJob(4, 8), { target, chunk: 1 }, { io: silent, quiet: true }),
    ]);
    assert.is(JSON.stringify(a.result), JSON.stringify(await runMonteCarlo(mcJob(4, 7), { workers: 1 })));
    assert.is(JSON.stringify(b.result), JSON.stringify(await runMonteCarlo(mcJob(4, 8), { workers: 1 })));
  });

  test('a job of another version or with a garbage payload goes to the failed list with its reason; the worker goes on', async () => {
    const url = new URL(server!.url);
    const redis = new Redis({ host: url.hostname, port: Number(url.port), password: PASSWORD, maxRetriesPerRequest: null });
    const id = 'badjobs1';
    await registerCampaign(redis, { id, v: PROTOCOL_VERSION, kind: 'monte-carlo', lockMs: 5000, timeLimitMs: 0, by: 'test' });
    const q = new Queue(queueName(id), { connection: redis, prefix: PREFIX });
    try {
      await q.add('x', { v: 99, kind: 'monte-carlo', chunk: 0, body: '{}' }, { jobId: 'old' });
      await q.add('x', { v: PROTOCOL_VERSION, kind: 'monte-carlo', chunk: 1, body: '{"job": 12' }, { jobId: 'garbage' });
      await q.add('x', 'not even an object', { jobId: 'string' });
      await q.add('x', { v: PROTOCOL_VERSION, kind: 'monte-carlo', chunk: 2, body: toWire({ job: mcJob(4, 7), from: 3, to: 9 }) }, { jobId: 'range' });
      await q.add('x', { v: PROTOCOL_VERSION, kind: 'monte-carlo', chunk: 3, body: toWire({ job: mcJob(4, 7), from: 0, to: 1 }) }, { jobId: 'good' });
      for (let i = 0; i < 600; i++) {
        const c = await q.getJobCounts('failed', 'completed');
        if (c.failed === 4 && c.completed === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const reason = async (jobId: string) => (await q.getJob(jobId))?.failedReason ?? '';
      assert.match(await reason('old'), /job format version 99; this worker reads version 1/);
      assert.match(await reason('garbage'), /garbage payload: the body is not readable/);
      assert.match(await reason('string'), /garbage payload: the job's data is string/);
      assert.match(await reason('range'), /0 <= from < to <= 4, got 3\.\.9/);
      assert.is((await q.getJob('good'))?.finishedOn !== undefined && (await q.getJob('good'))?.failedReason === undefined, true);
      assert.ok(workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length >= 1, 'workers still running');
    } finally {
      await unregisterCampaign(redis, id);
      await q.obliterate({ force: true });
      await q.close();
      redis.disconnect();
    }
  });

  test('a job past its time limit fails and keeps the runs it finished; the others are reported as errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-queue-'));
    try {
      const endless = join(dir, 'zz-endless.yaml');
      writeFileSync(endless, 'name: endless\nversion: 1\nmeter: { firmware: field, mode: sts }\nsteps:\n  - delay: 100000d\n');
      const quick = join(root, 'scenarios', 'library', 'tamper.yaml');
      const r = await runCli(['run', quick, endless, '--queue', server!.url, '--chunk', '2', '--job-timeout', '20s', '--report', join(dir, 'r.json'), '-q']);
      assert.is(r.code, 3, r.stderr);
      assert.match(r.stderr, /1 queued job failed/);
      const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as Array<{ status: string; error?: { message: string } }>;
      assert.is(report[0].status, 'passed');
      assert.is(report[1].status, 'error');
      assert.match(report[1].error!.message, /time limit of 20 s exceeded after 1 of 2 items/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a fleet split into jobs over the workers gives the local fleet report byte for byte, every message at the broker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osm-queue-'));
    const tokens = Array.from({ length: 3 }, (_, i) => generatedToken(4, i));
    const broker = await startFleetBroker(tokens);
    try {
      const common = ['fleet', '--meters', '3', '--hours', '0.5', '--start', '2026-03-02T22:50:00', '--seed', '4', '-q'];
      const q = await runCli([...common, '--queue', server!.url, '--chunk', '1', '--broker', broker.url, '--json', join(dir, 'q.json')]);
      assert.is(q.code, 0, q.stderr);
      const l = await runCli([...common, '--json', join(dir, 'l.json')]);
      assert.is(l.code, 0, l.stderr);
      assert.is(readFileSync(join(dir, 'q.json'), 'utf8'), readFileSync(join(dir, 'l.json'), 'utf8'));
      const report = JSON.parse(readFileSync(join(dir, 'q.json'), 'utf8')) as { totals: { telemetryMessages: number } };
      assert.ok(report.totals.telemetryMessages >= 6, `${report.totals.telemetryMessages} messages`);
      assert.is(broker.received, report.totals.telemetryMessages, 'the workers relayed every message to the broker');
    } finally {
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a worker running a fleet job says the simulated time its meters reached in the job\'s progress', async () => {
    const alive = (x: { child: ChildProcess }) => x.child.exitCode === null && x.child.signalCode === null;
    if (!workers.some(alive)) await startWorker(server!.url);
    const url = new URL(server!.url);
    const redis = new Redis({ host: url.hostname, port: Number(url.port), password: PASSWORD, maxRetriesPerRequest: null });
    const tokens = [generatedToken(5, 0)];
    const broker = await startFleetBroker(tokens);
    const id = 'fleetprog1';
    await registerCampaign(redis, { id, v: PROTOCOL_VERSION, kind: 'fleet', lockMs: 30000, timeLimitMs: 0, by: 'test' });
    const q = new Queue(queueName(id), { connection: redis, prefix: PREFIX });
    try {
      const durationUs = 2 * 3600e6;
      const spec = {
        meters: 1, seed: 5, durationUs, start: '2026-03-02T10:00:00', modes: ['sts'], credit: [50, 500],
        topUp: { everyHours: 24, amount: [100, 1000] }, tokens,
      };
      await q.add('fleet', { v: PROTOCOL_VERSION, kind: 'fleet', chunk: 0, body: toWire({ spec, from: 0, to: 1, brokerUrl: broker.url }) }, { jobId: 'chunk-0' });
      let job = await q.getJob('chunk-0');
      for (let i = 0; i < 1200 && job?.finishedOn === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
        job = await q.getJob('chunk-0');
      }
      assert.is(job?.failedReason, undefined);
      assert.equal(job?.progress, { done: 1, of: 1, t: durationUs });
    } finally {
      await unregisterCampaign(redis, id);
      await q.obliterate({ force: true });
      await q.close();
      redis.disconnect();
      await broker.close();
    }
  });

  test('osm fleet --queue with no worker says so after 5 s; Ctrl-C then removes its queue and writes nothing', async () => {
    // a Redis of its own, so the running workers do not take the job
    const idle = await startRedisServer();
    const dir = mkdtempSync(join(tmpdir(), 'osm-queue-'));
    try {
      const child = spawn(process.execPath, [osm, 'fleet', '--meters', '2', '--hours', '1', '--queue', idle.url, '--broker', 'mqtt://127.0.0.1:1',
        '--json', join(dir, 'f.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // (a minute at most, so a submitter that never says it fails the test instead of hanging it)
      let giveUp: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        child.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('no worker has taken a job yet')) resolve();
        });
        void exited.then(() => resolve());
        giveUp = setTimeout(resolve, 60_000);
      });
      clearTimeout(giveUp);
      assert.match(stderr, new RegExp(`osm fleet: queue [0-9a-f]+: no worker has taken a job yet; start some with: osm worker --redis redis://127\\.0\\.0\\.1:${idle.port}\\n`));
      child.kill('SIGINT');
      assert.is(await exited, 130, stderr);
      assert.ok(stderr.endsWith(`osm fleet: stopped by SIGINT after 0 of 2 meters; its jobs were removed from Redis; no report written, ${join(dir, 'f.json')} not written\n`), stderr);
      const redis = new Redis({ host: '127.0.0.1', port: idle.port, maxRetriesPerRequest: null });
      try { assert.equal(await redis.keys('*'), []); } finally { redis.disconnect(); }
      assert.equal(readdirSync(dir), []);
    } finally {
      await idle.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a worker stopped by a second Ctrl-C in the middle of a job says which job goes to another worker, and exits 130', async () => {
    // a Redis of its own, so the other workers do not take the job
    const own = await startRedisServer();
    const redis = new Redis({ host: '127.0.0.1', port: own.port, maxRetriesPerRequest: null });
    const id = 'secondsig1';
    await registerCampaign(redis, { id, v: PROTOCOL_VERSION, kind: 'monte-carlo', lockMs: 7000, timeLimitMs: 0, by: 'test' });
    const q = new Queue(queueName(id), { connection: redis, prefix: PREFIX });
    const child = spawn(process.execPath, [osm, 'worker', '--redis', own.url, '--name', 'w-second'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // 400 units of the full table: minutes of work, stopped long before its end
      const body = toWire({ job: mcJob(400, 7, 'full'), from: 0, to: 400 });
      await q.add('monte-carlo', { v: PROTOCOL_VERSION, kind: 'monte-carlo', chunk: 0, body }, { jobId: 'chunk-0' });
      let active = false;
      for (let i = 0; i < 1200 && !active && child.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        active = (await q.getJobs(['active'])).some((j) => j?.processedBy === 'w-second');
      }
      assert.ok(active, `the worker took the job: ${stderr}`);
      child.kill('SIGINT');
      for (let i = 0; i < 600 && !stderr.includes('finishing the job in hand'); i++) await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGINT');
      assert.is(await exited, 130, stderr);
      assert.match(stderr, /osm worker: SIGINT again: stopping now; job chunk-0 of campaign secondsig1 goes to another worker once its lock expires \(the campaign's --stall-seconds: 7 s\)\n$/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await unregisterCampaign(redis, id);
      await q.obliterate({ force: true });
      await q.close();
      redis.disconnect();
      await own.stop();
    }
  });

  test('a wrong password is one line and exit 2', async () => {
    const r = await runCli(['worker', '--redis', `redis://:wrong@127.0.0.1:${server!.port}`]);
    assert.is(r.code, 2);
    assert.match(r.stderr, /^osm worker: --redis: cannot use Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: the password \(or user name\) was refused\n$/);
  });
}

test('an unreachable Redis is one clear line and exit 2', async () => {
  const port = await freePort();
  const r = await runCli(['worker', '--redis', `redis://127.0.0.1:${port}`]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^osm worker: --redis: cannot use Redis at redis:\/\/127\.0\.0\.1:\d+: connection refused/);
});

test('osm worker refuses a Redis on another machine without a password before connecting', () => {
  const r = spawnSync(process.execPath, [osm, 'worker', '--redis', 'redis://192.0.2.10:6379'], { encoding: 'utf8' });
  assert.is(r.status, 2);
  assert.match(r.stderr, /refusing redis:\/\/192\.0\.2\.10:6379 without a password/);
});

test.run();
