import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CliIo } from '../command.ts';
import type { RunRecord } from '../../scenarios/campaign/run-job.ts';
import { CampaignProgress } from './progress.ts';

function io(tty: boolean): CliIo & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t), isTTY: tty } };
}
const done = (file: string, status: RunRecord['status']) => ({ file, status }) as RunRecord;

test('on a terminal the line is rewritten in place, at most once per period, and erased at the end', () => {
  const out = io(true);
  let wall = 0;
  const p = new CampaignProgress(out, { total: 3, wallMs: () => wall, ttyPeriodMs: 250 });
  p.started('lib/a.yaml');
  wall = 100; p.started('lib/b.yaml');
  wall = 300; p.finished(done('lib/a.yaml', 'failed'));
  wall = 400; p.tick();
  p.clear();
  assert.equal(out.err, ['\r\x1b[K[1/3] 1 failed  running b.yaml  0.30s', '\r\x1b[K']);
});

test('without a terminal a plain line is written every period', () => {
  const out = io(false);
  let wall = 0;
  const p = new CampaignProgress(out, { total: 2, wallMs: () => wall, plainPeriodMs: 10_000 });
  p.started('a.yaml');
  wall = 9_000; p.tick();
  wall = 10_500; p.tick();
  wall = 12_000; p.finished(done('a.yaml', 'invalid'));
  wall = 21_000; p.tick();
  p.clear();
  assert.equal(out.err, ['osm run: [0/2] 0 failed  running a.yaml  10.5s\n', 'osm run: [1/2] 0 failed, 1 invalid  21.0s\n']);
});

test.run();
