// A throwaway Debian `redis-server` (the queue tests, the scale-out benchmark): started on a free loopback port with
// no persistence (no RDB snapshot, no append-only file), optionally with a password, and stopped after. Tests and the
// benchmark skip where the binary is absent; .ci/run installs it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT, with the password when one was set. */
  url: string;
  stop(): Promise<void>;
}

/** True when `redis-server` can be run here. */
export function haveRedisServer(): boolean {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 && /Redis server/.test(r.stdout);
}

/** A free TCP port on 127.0.0.1 (bound and released; the server binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(options: { password?: string } = {}): Promise<RedisServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'osm-redis-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--daemonize', 'no', '--loglevel', 'notice', '--logfile', ''];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const look = (chunk: Buffer): void => {
        out += chunk.toString();
        if (/Ready to accept connections/i.test(out)) { clearTimeout(timer); resolve(true); }
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
      child.once('exit', () => { clearTimeout(timer); resolve(false); });
    });
    // loglevel warning hides the ready line on some builds: probe the port instead.
    const up = ready || await probe(port);
    if (up) {
      const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
      return {
        port,
        url: `redis://${auth}127.0.0.1:${port}`,
        stop: () => new Promise<void>((resolve) => {
          if (child.exitCode !== null) { rmSync(dir, { recursive: true, force: true }); resolve(); return; }
          child.once('exit', () => { rmSync(dir, { recursive: true, force: true }); resolve(); });
          child.kill('SIGTERM');
        }),
      };
    }
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (attempt >= 2) throw new Error(`redis-server did not start: ${out.trim().slice(0, 300)}`);
  }
}

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    import('node:net').then(({ connect }) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
  });
}
