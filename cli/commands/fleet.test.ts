// `osm fleet`'s own lines: the progress of a fleet split into jobs on a queue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fleetQueueLine } from './fleet.ts';

const HOUR = 3600e6;

test('a queued fleet\'s progress line gives the simulated time its running jobs reached, weighted by their meters', () => {
  // 250 meters in jobs of 100, 100 and 50: the first done (48 h), the second at 12 h, the third not started
  const ranges = [{ from: 0, to: 100 }, { from: 100, to: 200 }, { from: 200, to: 250 }];
  const line = fleetQueueLine({ campaign: 'abc', chunksDone: 1, chunks: 3, workers: 2 }, ranges, [48 * HOUR, 12 * HOUR, 0], 100, 48);
  assert.is(line, 'osm fleet: queue abc: 100/250 meters done, 24.00 h of 48 h on average (1/3 jobs, 2 workers connected)');
});

test('a queued fleet\'s progress line says one worker in the singular', () => {
  const line = fleetQueueLine({ campaign: 'abc', chunksDone: 0, chunks: 1, workers: 1 }, [{ from: 0, to: 4 }], [0], 0, 1);
  assert.is(line, 'osm fleet: queue abc: 0/4 meters done, 0.00 h of 1 h on average (0/1 jobs, 1 worker connected)');
});

test.run();
