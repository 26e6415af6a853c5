// uvu suite hooks shared by the node tests: one Node-RED test server per file, flows unloaded after each test.
import type { Test } from 'uvu';
import { helper } from './test-support.ts';

export function useHelper(test: Test): void {
  test.before(async () => { await helper.startServer(); });
  test.after.each(async () => { await helper.unload(); });
  test.after(async () => { await helper.stopServer(); });
}
