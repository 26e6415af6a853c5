// cli/osm.js answers `osm --help` and `osm --version` without TypeScript: its text must be main.ts's, word for word.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from './main.ts';
import type { CliIo } from './command.ts';

const OSM = fileURLToPath(new URL('./osm.js', import.meta.url));

async function inProcess(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = { stdout: { write: (t: string) => { out += t; } }, stderr: { write: () => {} } };
  const code = await main(argv, { io, env: {} });
  return { code, out };
}

for (const args of [['--help'], ['-h'], ['help'], ['--version']]) {
  test(`osm ${args[0]} prints what main.ts prints, with the same exit code`, async () => {
    const r = spawnSync(process.execPath, [OSM, ...args], { encoding: 'utf8' });
    const expected = await inProcess(args);
    assert.is(r.status, expected.code);
    assert.is(r.stdout, expected.out);
    assert.is(r.stderr, '');
  });
}

test.run();
