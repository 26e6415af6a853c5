// `osm worker --redis URL`: a worker of queued campaigns (cli/queue/queue-worker.ts). Runs until stopped; Ctrl-C or
// SIGTERM finishes the job in hand first (a second signal ends it at once; the job then goes to another worker when
// its lock expires).
import { parseArgs } from '../args.ts';
import { UsageError, processIo, type CliIo, type Command } from '../command.ts';
import { RedisUrlError, parseRedisUrl, type RedisTarget } from '../queue/redis-url.ts';
import { checkRedis } from '../queue/redis-connect.ts';
import { plural } from '../../io/plural.ts';

export const WORKER_USAGE = `Usage: osm worker --redis URL [options]

Take jobs of queued campaigns from a Redis and run them on this machine: osm run ... --queue URL (campaigns of
scenarios), osm accuracy --monte-carlo N --queue URL (yield) and osm fleet ... --queue URL (fleets of meters). Start
one worker per core on as many machines as you like (docs/scale-out.md); each runs one job at a time in a worker
thread. A worker killed mid-job loses nothing: the job goes to another worker when its lock expires.

Options:
  --redis URL    the Redis: redis://HOST:PORT, redis://:PASSWORD@HOST:PORT (or redis://USER:PASSWORD@...),
                 rediss:// for TLS; a Redis off this machine must have a password (requirepass), else refused
  --name NAME    how this worker is named in the jobs it runs (default HOST:PID)
  --quiet, -q    no line per job (errors are still shown)
  --help, -h     show this help

Each job is checked before it runs: a job of another osm version or a garbage payload is moved to the campaign's
failed list with the reason; it never stops the worker. Ctrl-C finishes the job in hand, then exits (a second
Ctrl-C exits at once, and says which job goes to another worker). Exit codes: 0 stopped by a signal after its job,
2 invalid input (the URL, an unreachable Redis within 5 s, a refused password), 130 (SIGTERM: 143) stopped at once by
a second signal.`;

const OPTIONS = {
  redis: { type: 'string' },
  name: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export function createWorkerCommand(deps: { io?: CliIo } = {}): Command {
  const io = deps.io ?? processIo;
  async function run(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs(argv, OPTIONS);
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.redis === undefined) throw new UsageError('--redis URL is needed (e.g. --redis redis://127.0.0.1:6379)');
    let target: RedisTarget;
    try { target = parseRedisUrl(String(values.redis)); } catch (err) {
      if (err instanceof RedisUrlError) throw new UsageError(err.message);
      throw err;
    }
    await checkRedis(target);
    const quiet = values.quiet === true;
    const { QueueWorker } = await import('../queue/queue-worker.ts');
    const worker = new QueueWorker({
      target,
      ...(values.name !== undefined ? { name: String(values.name) } : {}),
      log: (line) => { if (!quiet || / failed: /.test(line)) io.stderr.write(`osm worker: ${line}\n`); },
    });
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((r) => { stop = r; });
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (++signals > 1) {
        const held = worker.inHand;
        io.stderr.write(`osm worker: ${signal} again: stopping now${held
          ? `; job ${held.job} of campaign ${held.campaign} goes to another worker once its lock expires (the campaign's --stall-seconds: ${Math.ceil(held.lockMs / 1000)} s)`
          : ''}\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stop(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await worker.start();
      if (!quiet) io.stderr.write(`osm worker: ${worker.name} on ${target.shown}: waiting for jobs (Ctrl-C to stop)\n`);
      const signal = await stopped;
      if (!quiet) io.stderr.write(`osm worker: ${signal}: finishing the job in hand, then stopping\n`);
      await worker.close();
      if (!quiet) io.stderr.write(`osm worker: stopped after ${plural(worker.completed, 'job')} done, ${worker.failed} failed\n`);
      return 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  return {
    name: 'worker',
    summary: 'take jobs of queued campaigns (osm run/accuracy/fleet --queue) from a Redis and run them here',
    usage: WORKER_USAGE,
    run,
  };
}

export default createWorkerCommand();
