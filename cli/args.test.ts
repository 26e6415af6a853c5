import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { intOption, parseArgs } from './args.ts';
import { UsageError } from './command.ts';

const SPEC = { fix: { type: 'string', multiple: true }, seed: { type: 'string' } } as const;

test('a repeatable option collects every value in order', () => {
  const r = parseArgs(['a.yaml', '--fix', 'D11', '--fix=D14,D2'], SPEC);
  assert.equal(r.lists.fix, ['D11', 'D14,D2']);
  assert.equal(r.positionals, ['a.yaml']);
});

test('an option that is not repeatable is still refused the second time', () => {
  assert.throws(() => parseArgs(['--seed', '1', '--seed', '2'], SPEC), (e: unknown) => e instanceof UsageError && /given twice/.test((e as Error).message));
});

test('a whole-number option is refused above its maximum (--workers 1025 of 1..1024), and both ends are accepted', () => {
  assert.throws(() => intOption('workers', '1025', 1, 1024), (e: Error) => e instanceof UsageError && e.message === '--workers: 1025 is out of range (expected 1..1024)');
  assert.is(intOption('workers', '1024', 1, 1024), 1024);
  assert.is(intOption('workers', '1', 1, 1024), 1);
});

test.run();
