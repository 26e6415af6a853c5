// The command list: what `osm --help` shows without loading a command, and what each module says of itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../main.ts';
import type { CliIo, CommandEntry } from '../command.ts';
import { COMMANDS } from './index.ts';

test('every entry\'s name and summary are its module\'s own', async () => {
  for (const e of COMMANDS) {
    const c = await e.load();
    assert.is(c.name, e.name);
    assert.is(c.summary, e.summary, e.name);
  }
});

test('osm --help lists every command without loading any command module; osm sts loads only sts', async () => {
  const loaded: string[] = [];
  const spied: CommandEntry[] = COMMANDS.map((e) => ({ ...e, load: () => { loaded.push(e.name); return e.load(); } }));
  let out = '';
  const io: CliIo = { stdout: { write: (t: string) => { out += t; } }, stderr: { write: () => {} } };
  assert.is(await main(['--help'], { commands: spied, io, env: {} }), 0);
  for (const e of COMMANDS) assert.ok(out.includes(`  ${e.name}`) && out.includes(e.summary), e.name);
  assert.equal(loaded, []);
  assert.is(await main(['sts', '--help'], { commands: spied, io, env: {} }), 0);
  assert.equal(loaded, ['sts']);
});

test('the light modules of the heavy commands do not import the twin: their help needs no model', async () => {
  for (const name of ['accuracy', 'calibrate', 'demo']) {
    const src = (await import('node:fs')).readFileSync(new URL(`./${name}.ts`, import.meta.url), 'utf8');
    const imports = [...src.matchAll(/^import [^;]*from '([^']+)'/gm)].map((m) => m[1]);
    assert.equal(imports, ['../command.ts'], name);
  }
});

test.run();
