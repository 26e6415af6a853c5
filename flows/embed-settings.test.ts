// The Node-RED settings the project runs with (flows/embed.ts nodeRedSettings): its console log drops the two
// warnings Node-RED gives about settings chosen on purpose, and passes every other message to stderr.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeRedSettings } from './embed.ts';

type Msg = { level: number; msg?: unknown; type?: string; id?: string; name?: string };

function printed(messages: Msg[]): string {
  const settings = nodeRedSettings({ userDir: '/nonexistent' }) as { logging: { console: { handler: () => (m: Msg) => void } } };
  const log = settings.logging.console.handler();
  const write = process.stderr.write;
  let out = '';
  process.stderr.write = ((t: string) => { out += t; return true; }) as typeof process.stderr.write;
  try {
    for (const m of messages) log(m);
  } finally {
    process.stderr.write = write;
  }
  return out;
}

test('the warnings about projects off and unencrypted credentials are not printed at start', () => {
  assert.is(printed([
    { level: 30, msg: 'Projects disabled : editorTheme.projects.enabled=false' },
    { level: 30, msg: 'Using unencrypted credentials' },
  ]), '');
});

test('any other Node-RED message reaches stderr with its level and node', () => {
  assert.is(printed([
    { level: 30, msg: 'Projects disabled : git command not found' },
    { level: 20, msg: new Error('flow failed'), type: 'osm-meter', name: 'meter A' },
  ]), 'Node-RED [warn] Projects disabled : git command not found\nNode-RED [error] [osm-meter:meter A] flow failed\n');
});

test.run();
