// What the dashboard's browser tests share: Debian's chromium (the tests are skipped without it), the flags it runs
// with here, and a wait on the page's state.
import { existsSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** `test`, or `test.skip` on a machine without chromium. */
export const browserTest = existsSync(CHROMIUM) ? test : test.skip;

/** The page's `data-<name>` attribute on <body> (the dashboard mirrors its state there for tests). */
export async function body(page: Page, name: string): Promise<string> {
  return (await page.getAttribute('body', `data-${name}`)) ?? '';
}

/** Poll `cond` every 50 ms until it holds; fail with `what` after `timeoutMs`. */
export async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) assert.unreachable(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
