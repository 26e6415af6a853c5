// The scenario language's `network:` section and `network:` / `topup:` steps (comms-syntax.ts), through the loader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ScenarioError, parseScenario } from './loader.ts';

const HEAD = 'name: n\nversion: 1\n';

function parse(yaml: string) { return parseScenario(HEAD + yaml, 'inline.yaml'); }
function errorOf(yaml: string): ScenarioError {
  try { parse(yaml); } catch (err) { if (err instanceof ScenarioError) return err; throw err; }
  throw new Error('no error');
}

test('a scenario without a network section has no network (the modem stays mute)', () => {
  assert.is(parse('steps:\n  - delay: 1s\n').network, undefined);
});

test('the network section reads the radio settings, the backend and the broker', () => {
  const s = parse('network:\n  coverage: false\n  csq: 9\n  latency: 400ms\n  backend: { pending: 500, fault: lose-success, fault-count: 2 }\n  broker: { state: down }\nsteps:\n  - delay: 1s\n');
  assert.equal(s.network, {
    network: { coverage: false, csq: 9, latencyMs: 400 },
    backend: { fault: 'lose-success', faultCount: 2, pending: 500 },
    broker: { state: 'down' },
  });
});

test('network: alone connects the modem with every default', () => {
  assert.equal(parse('network:\nsteps:\n  - delay: 1s\n').network, {});
});

test('a network step reads its changes and its for', () => {
  const s = parse('network: {}\nsteps:\n  - network: { coverage: false, broker: down, for: 10min }\n  - topup: { amount: 500 }\n  - topup: 20\n');
  assert.equal(s.steps[0], { index: 0, pos: { line: 5, col: 5 }, command: 'network', change: { coverage: false, broker: 'down', forUs: 600e6 }, forText: '10min' });
  assert.equal(s.steps[1], { index: 1, pos: { line: 6, col: 5 }, command: 'topup', amount: 500 });
  assert.is((s.steps[2] as { amount: number }).amount, 20);
});

test('a network step in a scenario without a network section is refused at the step', () => {
  const e = errorOf('steps:\n  - delay: 1s\n  - topup: 500\n');
  assert.is(e.line, 5);
  assert.is(e.col, 5);
  assert.match(e.detail, 'no network: section');
});

test('an unknown key, fault or state is refused at its position with the expected values', () => {
  const a = errorOf('network:\n  coverge: true\nsteps:\n  - delay: 1s\n');
  assert.ok(a.message.startsWith("inline.yaml:4:3: unknown key 'coverge' in network"), a.message);
  assert.match(a.message, "did you mean 'coverage'?");
  const b = errorOf('network: {}\nsteps:\n  - network: { fault: slowly }\n');
  assert.is(b.line, 5);
  assert.match(b.detail, "unknown value 'slowly'");
  const c = errorOf('network: {}\nsteps:\n  - network: { broker: off }\n');
  assert.match(c.detail, 'expected one of up, down');
});

test('out-of-range values and empty changes are refused', () => {
  assert.match(errorOf('network: { csq: 40 }\nsteps:\n  - delay: 1s\n').detail, '40 is out of range');
  assert.match(errorOf('network: {}\nsteps:\n  - topup: -5\n').detail, 'out of range');
  assert.match(errorOf('network: {}\nsteps:\n  - network: { for: 1min }\n').detail, 'nothing to change');
  assert.match(errorOf('network: {}\nsteps:\n  - network: { drop: true, for: 1min }\n').detail, 'not reverted');
  assert.match(errorOf('network: {}\nsteps:\n  - network: { fault-count: 2 }\n').detail, 'give a fault');
});

test.run();
