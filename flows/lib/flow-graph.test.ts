import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { feedersOf } from './flow-graph.ts';

const sorted = (s: Set<string>): string[] => [...s].sort();

test('the feeders of a node are every node wired to it, directly or through others, on any output', () => {
  const nodes = [
    { id: 'i1', type: 'inject', wires: [['e1']] },
    { id: 'e1', type: 'osm-expect', wires: [['c1'], ['r1']] },
    { id: 'c1', type: 'change', wires: [['r1']] },
    { id: 'e2', type: 'osm-expect', wires: [['r2'], []] },
    { id: 'r1', type: 'osm-report', wires: [[]] },
    { id: 'r2', type: 'osm-report', wires: [[]] },
  ];
  assert.equal(sorted(feedersOf('r1', nodes)), ['c1', 'e1', 'i1']);
  assert.equal(sorted(feedersOf('r2', nodes)), ['e2']);
});

test('link out nodes reach the link in nodes they name, and a return-mode link out every link call', () => {
  const nodes = [
    { id: 'e1', type: 'osm-expect', wires: [['lo']] },
    { id: 'lo', type: 'link out', mode: 'link', links: ['li'], wires: [] },
    { id: 'li', type: 'link in', wires: [['r1']] },
    { id: 'e2', type: 'osm-expect', wires: [['lr']] },
    { id: 'lr', type: 'link out', mode: 'return', wires: [] },
    { id: 'e3', type: 'osm-expect', wires: [['lc']] },
    { id: 'lc', type: 'link call', links: ['li2'], wires: [['r2']] },
    { id: 'li2', type: 'link in', wires: [['lr']] },
    { id: 'r1', type: 'osm-report', wires: [[]] },
    { id: 'r2', type: 'osm-report', wires: [[]] },
  ];
  assert.equal(sorted(feedersOf('r1', nodes)), ['e1', 'li', 'lo']);
  assert.equal(sorted(feedersOf('r2', nodes)), ['e2', 'e3', 'lc', 'li2', 'lr']);
});

test('a loop of wires ends the search', () => {
  const nodes = [
    { id: 'a', type: 'function', wires: [['b']] },
    { id: 'b', type: 'function', wires: [['a', 'r1']] },
    { id: 'r1', type: 'osm-report', wires: [] },
  ];
  assert.equal(sorted(feedersOf('r1', nodes)), ['a', 'b']);
});

test.run();
