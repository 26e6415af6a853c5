import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs } from './args.ts';
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

test.run();
