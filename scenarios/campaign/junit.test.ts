// The JUnit XML of a campaign, read back with a few regular expressions (the project has no XML parser, on purpose).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeBench } from '../../test/support/fake-bench.ts';
import { runCampaign } from './campaign.ts';
import { classNameOf, junitXml } from './junit.ts';
import { matrixCells } from './matrix.ts';

const dir = mkdtempSync(join(tmpdir(), 'osm-junit-'));
function scenario(name: string, title: string, steps: string): string {
  const path = join(dir, name);
  writeFileSync(path, `name: ${title}\nversion: 1\nmeter: { firmware: field, credit: 500 }\nsteps:\n${steps}`);
  return path;
}
const pass = scenario('pass.yaml', 'relay closes', '  - delay: 2s\n  - expect: { relay: closed }\n');
const fail = scenario('fail.yaml', 'credit & relay <check>', '  - delay: 3s\n  - name: relay opens\n    expect: { relay: open, credit: 7 }\n');
const bad = scenario('bad.yaml', 'bad', '  - delay: 2\n');

/** Attributes of an element's start tag, XML entities decoded (a `>` may stand unescaped inside a value). */
function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)="([^"]*)"/g)) {
    out[m[1]] = m[2].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  }
  return out;
}
function cases(xml: string): { attrs: Record<string, string>; body: string }[] {
  return [...xml.matchAll(/<testcase\b((?:[^>"]|"[^"]*")*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({ attrs: attrs(m[1]), body: m[2] ?? '' }));
}

const run = () => runCampaign({ inputs: [pass, fail, bad], seed: 1, speed: 'max' }, { makeBench: (cfg) => new FakeBench({ seed: cfg.seed, credit: 500 }) });

test('one testcase per scenario, classname from the path, name from the scenario, time in wall seconds', async () => {
  const xml = junitXml(await run());
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  const cs = cases(xml);
  assert.equal(cs.map((c) => c.attrs.name), ['relay closes', 'credit & relay <check>', bad]);
  assert.is(cs[0].attrs.classname, classNameOf(pass));
  assert.ok(Number(cs[0].attrs.time) >= 0);
  assert.match(xml, /<testsuites tests="3" failures="1" errors="1"/);
});

test('the failure element holds the failing step\'s message and every expected and observed value', async () => {
  const c = cases(junitXml(await run()))[1];
  const failure = /<failure\b((?:[^>"]|"[^"]*")*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>)?<\/failure>/.exec(c.body);
  assert.ok(failure, c.body);
  assert.is(attrs(failure![1]).message, 'step 2 "relay opens": expected relay "open", observed "closed"');
  assert.is(failure![2], [
    'expected relay "open"', 'observed relay "closed"', 'expected credit 7', 'observed credit 500',
    `at 3.000s, step 2 "relay opens", ${fail}:7:15`,
  ].join('\n'));
});

test('an expect with for that held at first and then stopped holding is a failure of its own type', async () => {
  const lasting = scenario('lasting.yaml', 'frequency stays', '  - grid: { hz: 51, for: 2s }\n  - expect: { freq: 51, for: 1min }\n');
  const r = await runCampaign({ inputs: [lasting], seed: 1, speed: 'max' }, { makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const failure = /<failure\b((?:[^>"]|"[^"]*")*)>/.exec(cases(junitXml(r))[0].body);
  assert.is(attrs(failure![1]).type, 'expectation stopped holding');
  assert.is(attrs(failure![1]).message, 'step 2: expected freq 51 for 1min, observed 50 after 2.000s');
});

test('a cell that overrides the firmware says so, and names none for a scenario that names none', async () => {
  const unnamed = join(dir, 'unnamed.yaml');
  writeFileSync(unnamed, 'name: unnamed\nversion: 1\nmeter: { credit: 500 }\nsteps:\n  - delay: 1s\n');
  const r = await runCampaign({ inputs: [pass, unnamed], cells: matrixCells({ profiles: ['fixed'] }), seed: 1, speed: 'max' },
    { makeBench: (cfg) => new FakeBench({ seed: cfg.seed, credit: 500 }) });
  const bodies = cases(junitXml(r)).map((c) => c.body);
  assert.match(bodies[0], /<property name="firmware" value="fixed \(the scenario names field\)"\/>/);
  assert.match(bodies[1], /<property name="firmware" value="fixed \(the scenario names none; field by default\)"\/>/);
});

test('the simulated time is a property of the testcase', async () => {
  const c = cases(junitXml(await run()))[0];
  assert.match(c.body, /<property name="simulated-time" value="2\.000s"\/>/);
  assert.match(c.body, /<property name="seed" value="1"\/>/);
});

test('an invalid scenario is an error with its file:line:col message', async () => {
  const c = cases(junitXml(await run()))[2];
  const e = /<error\b((?:[^>"]|"[^"]*")*)\/>/.exec(c.body);
  assert.is(attrs(e![1]).message, `${bad}:5:12: delay: duration '2' needs a unit (us, ms, s, min, h, d)`);
  assert.is(attrs(e![1]).type, 'invalid input');
});

test('a matrix gives one suite per cell and the cell in the testcase name', async () => {
  const r = await runCampaign({ inputs: [pass], cells: matrixCells({ seeds: [1, 2] }), seed: 1, speed: 'max' }, { makeBench: (cfg) => new FakeBench({ seed: cfg.seed }) });
  const xml = junitXml(r);
  assert.equal([...xml.matchAll(/<testsuite name="([^"]*)"/g)].map((m) => m[1]), ['osm run [seed 1]', 'osm run [seed 2]']);
  assert.equal(cases(xml).map((c) => c.attrs.name), ['relay closes [seed 1]', 'relay closes [seed 2]']);
});

test('the classname is the path with dots and without the extension', () => {
  assert.is(classNameOf('scenarios/library/opaygo/g01-invalid.yaml'), 'scenarios.library.opaygo.g01-invalid');
  assert.is(classNameOf('./a/b.yml'), 'a.b');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
