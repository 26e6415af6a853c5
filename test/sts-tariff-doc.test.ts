// A trainer's keypad token on a connected meter: the meter's runtime tariff is what its top-up backend answered (70),
// so a token made for tariff 1 (`osm sts generate`'s default) is refused after the first poll, as the firmware does.
// The README tells how to make one that a connected meter (`npm start`, `osm serve`) accepts; this test makes it as the
// README says and types it on a connected twin after its first poll.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'osm-sts-tariff-'));

function osm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(root, 'cli/osm.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, OSM_DEBUG: '' } });
}

/** A connected meter that has polled its backend once (tariff 70), then the token typed on its keypad. */
function scenario(token: string): string {
  return `name: a keypad token on a connected meter
version: 1
meter: { firmware: field, mode: sts, credit: 100, clock: "2026-03-01T08:00:00" }
plant: { grid: { vrms: 240, hz: 50 }, loads: [ { id: lamp, watts: 100, pf: 1 } ] }
network: { coverage: true }
steps:
  - name: the first poll has answered (the backend's tariff 70 is now the meter's)
    wait-until: { serial: "/topup:\\\\n0\\\\.00/", timeout: 2min }
  - press-keys: "*${token}#"
  - wait-until: { lcd.line0: "TOKEN ACCEPTED", timeout: 5s }
  - expect: { credit: { min: 590 } }
`;
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');

test('the README says how to make a token for a meter connected to its backend, and that token is accepted there', () => {
  const m = /`npx osm (sts generate --amount (\d+) --tariff 70)`/.exec(readme);
  assert.ok(m, 'README.md names no `npx osm sts generate --amount N --tariff 70` for the connected meter of npm start');
  const g = osm(m[1].split(' '));
  assert.is(g.status, 0, g.stderr);
  const token = g.stdout.split('\n')[0].trim();
  assert.match(token, /^[0-9ABC]{20}$/);
  const file = join(dir, 'connected.yaml');
  writeFileSync(file, scenario(token));
  const r = osm(['run', file]);
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

test('a token made for tariff 1 is refused by a meter that has polled its backend (the firmware\'s tariff check)', () => {
  const g = osm(['sts', 'generate', '--amount', '500']);
  const token = g.stdout.split('\n')[0].trim();
  const file = join(dir, 'tariff-1.yaml');
  writeFileSync(file, scenario(token));
  const r = osm(['run', file]);
  assert.is(r.status, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /TOKEN ACCEPTED/);
});

// Housekeeping, not a test: a hook is not counted as a passed test.
test.after(() => { rmSync(dir, { recursive: true, force: true }); });

test.run();
