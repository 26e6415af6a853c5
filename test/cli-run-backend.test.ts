// `osm run <scenario> --backend URL`: the meter polls a top-up backend of the user's own (a real node:http server on a
// loopback port here) and is credited from it; what the built-in backend alone can do is refused before the run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRunCommand } from '../cli/commands/run.ts';
import { main } from '../cli/main.ts';
import { ownBackend } from './support/own-backend.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-run-backend-'));

function scenario(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `name: ${name}\nversion: 1\nmeter: { firmware: field, mode: sts, credit: 100 }\nplant: { grid: { vrms: 230, hz: 50 } }\n${body}`);
  return path;
}

async function osmRun(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (t: string) => out.push(t) > 0 }, stderr: { write: (t: string) => err.push(t) > 0 } };
  const code = await main(['run', ...args], { commands: [createRunCommand({ io })], io, env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

const CREDITED = scenario('credited.yaml', 'network: {}\nsteps:\n  - wait-until: { credit: { min: 399, max: 401 }, timeout: 5min }\n');

test('a scenario run against your backend is credited from its answer', async () => {
  const own = await ownBackend({ pending: 300 });
  try {
    const r = await osmRun([CREDITED, '--backend', own.url, '-q']);
    assert.is(r.code, 0, r.out + r.err);
  } finally { await own.close(); }
});

test('a topup: step is refused before the run, naming its line', async () => {
  const own = await ownBackend({ pending: 0 });
  try {
    const file = scenario('pays.yaml', 'network: {}\nsteps:\n  - delay: 1min\n  - topup: { amount: 5 }\n');
    const r = await osmRun([file, '--backend', own.url]);
    assert.is(r.code, 2);
    assert.match(r.err, /pays\.yaml:8:5: step 2 pays on the built-in backend \(topup:\), which your server at --backend does not have/);
  } finally { await own.close(); }
});

test('a scenario without a network: section is refused: its modem polls nothing', async () => {
  const own = await ownBackend({ pending: 0 });
  try {
    const r = await osmRun([scenario('mute.yaml', 'steps:\n  - delay: 1min\n'), '--backend', own.url]);
    assert.is(r.code, 2);
    assert.match(r.err, /--backend: .*mute\.yaml has no network: section .*add network: \{\}/);
  } finally { await own.close(); }
});

test('nothing listening at --backend is said before the run', async () => {
  const own = await ownBackend({ pending: 0 });
  await own.close();
  const r = await osmRun([CREDITED, '--backend', own.url]);
  assert.is(r.code, 2);
  assert.match(r.err, /--backend: nothing answers at http:\/\/127\.0\.0\.1:\d+\/subscribe\.php \(connection refused\): start your backend first/);
});

test('a URL the meter cannot reach is refused, saying why', async () => {
  const r = await osmRun([CREDITED, '--backend', 'https://127.0.0.1:9']);
  assert.is(r.code, 2);
  assert.match(r.err, /--backend: backend url 'https:\/\/127\.0\.0\.1:9': only http:\/\/ is supported/);
});

test('--backend takes one scenario, not a campaign', async () => {
  const r = await osmRun([CREDITED, CREDITED, '--backend', 'http://127.0.0.1:9']);
  assert.is(r.code, 2);
  assert.match(r.err, /--backend runs one scenario against your server: give one scenario file/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
