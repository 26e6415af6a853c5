import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict } from './verdict.ts';
import { VerdictsInTransit, type SendEvent } from './verdicts-in-transit.ts';

const verdict = (name: string, status: Verdict['status'] = 'passed'): Verdict => ({
  suite: 's', name, status, message: name, timeUs: 1, durationUs: 0, source: { id: 'e1', type: 'osm-expect' },
});
const send = (from: string, to: string, msg: Record<string, unknown>): SendEvent => ({ msg, source: { id: from }, destination: { id: to } });
/** A registry whose running nodes are those in `running` (the others have been stopped). */
const transit = (running: Set<string>) => new VerdictsInTransit((id) => running.has(id));
const route = new Set(['e1', 'c1', 'r1']);

test('a verdict message queued for a node the stop has closed is still on its way to the report', () => {
  const t = transit(new Set());
  const v = verdict('relay opens', 'failed');
  t.sent([send('e1', 'c1', { verdict: v })]);
  assert.equal(t.onTheWay(route), [v]);
  assert.equal(t.onTheWay(new Set(['x1'])), [], 'a node that does not lead to the report holds nothing of its');
});

test('a message a node hands on and the report receives is no longer on its way', () => {
  const t = transit(new Set(['e1', 'c1', 'r1']));
  const msg = { verdict: verdict('a') };
  t.sent([send('e1', 'c1', msg)]);
  t.sent([send('c1', 'r1', msg)]);
  assert.is(t.size, 1);
  t.received('r1', msg);
  assert.equal(t.onTheWay(route), []);
  assert.is(t.size, 0);
});

test('a running node that finishes with a message without handing it on ends its way (a switch sending it nowhere)', () => {
  const t = transit(new Set(['c1']));
  const msg = { verdict: verdict('a') };
  t.sent([send('e1', 'c1', msg)]);
  t.completed({ msg, node: { id: 'c1' } });
  assert.equal(t.onTheWay(route), []);
});

test('a node the stop has closed that finishes with a message (a delay dropping what it held) leaves it on its way', () => {
  const t = transit(new Set());
  const msg = { verdict: verdict('a') };
  t.sent([send('e1', 'c1', msg)]);
  t.completed({ msg, node: { id: 'c1' } });
  assert.equal(t.onTheWay(route).map((v) => v.name), ['a']);
});

test('on a fan-out each wire carries its own copy: finishing with the copy on one wire leaves the other on its way', () => {
  const t = transit(new Set(['a1', 'c1']));
  const msg = { verdict: verdict('v') };
  const toA = send('e1', 'a1', msg);
  const toC = send('e1', 'c1', msg);
  t.sent([toA, toC]);
  // Node-RED copies the message for every wire but the first into its send event, before delivering it
  const copy = structuredClone(msg);
  t.delivering(Object.assign(toC, { msg: copy }));
  t.completed({ msg, node: { id: 'c1' } });
  assert.is(t.size, 2, 'the original was delivered to a1, not to c1');
  t.completed({ msg: copy, node: { id: 'c1' } });
  assert.equal(t.onTheWay(new Set(['c1'])), []);
  assert.equal(t.onTheWay(new Set(['a1'])).map((v) => v.name), ['v']);
});

test('the verdicts on their way come in the order they were sent, a list of verdicts as its members, other messages not at all', () => {
  const t = transit(new Set());
  t.sent([send('e1', 'r1', { verdict: verdict('first') })]);
  t.sent([send('x1', 'c1', { payload: 1 })]);
  t.sent([send('e1', 'c1', { verdict: [verdict('second'), verdict('third', 'failed')] })]);
  t.sent([send('e1', 'c1', { verdict: { not: 'a verdict' } })]);
  assert.equal(t.onTheWay(route).map((v) => v.name), ['first', 'second', 'third']);
  t.clear();
  assert.equal(t.onTheWay(route), []);
});

test.run();
