// A top-up backend "of the user's own" for tests of `--backend`: a real node:http server on a free loopback port that
// answers as the reference backend does (`<pending>/70/` to a poll, the same with `sucess` to a confirmation, after
// which nothing is pending), optionally after some wall time.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OwnBackend {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The request bodies received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

export async function ownBackend(opts: { pending?: number; wallDelayMs?: number } = {}): Promise<OwnBackend> {
  let pending = opts.pending ?? 0;
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      bodies.push(body);
      const success = new URLSearchParams(body).get('stat') === 'sucess';
      const answer = `${pending}/70/${success ? 'sucess' : ''}`;
      if (success) pending = 0;
      setTimeout(() => res.end(answer), opts.wallDelayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
