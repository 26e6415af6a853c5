import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict } from './verdict.ts';
import { VerdictsInFlight } from './verdicts-in-flight.ts';

const step = (id: string) => ({ suite: 's', name: `step ${id}`, source: { id, type: 'osm-expect' } });
const meter = (closed: boolean, now = 0) => ({ closed, now: () => now });
const verdictOf = (id: string): Verdict => ({ ...step(id), status: 'error', message: 'interrupted', timeUs: 1, durationUs: 1 });

test('a report takes the verdicts of the steps feeding it whose meter stopped, also those decided after it looked', async () => {
  const f = new VerdictsInFlight();
  const stoppedMeter = { closed: false, now: () => 5 };
  const a = f.begin(step('a'), stoppedMeter);
  const b = f.begin(step('b'), meter(false));
  const c = f.begin(step('c'), stoppedMeter);
  const pending = f.pending(new Set(['a', 'b']));
  stoppedMeter.closed = true;
  a.settle(verdictOf('a'));
  b.settle(verdictOf('b'));
  c.settle(verdictOf('c'));
  assert.equal((await pending.interrupted()).map((v) => v.name), ['step a']);
  assert.equal(f.size, 0);
});

test('a step that ended without a verdict adds nothing', async () => {
  const f = new VerdictsInFlight();
  const a = f.begin(step('a'), meter(true));
  const pending = f.pending(new Set(['a']));
  a.settle(null);
  a.settle(verdictOf('a'));
  assert.equal(await pending.interrupted(), []);
});

test('a step still undecided at the limit is written as interrupted at its meter\'s virtual time', async () => {
  const f = new VerdictsInFlight();
  f.begin(step('a'), meter(true, 90e6));
  const [v] = await f.pending(new Set(['a'])).interrupted(1);
  assert.equal(v?.status, 'error');
  assert.equal(v?.timeUs, 90e6);
  assert.match(v?.message ?? '', /^interrupted: the flow was stopped while this step ran \(at 1m30\.000s\); its verdict did not come within 0\.001 s$/);
});

test.run();
