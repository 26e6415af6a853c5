import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, closeSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync,
  readdirSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputError, checkDistinctOutputs, checkOutputPath, openOutputStream, writeOutputFile } from './output-file.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const base = mkdtempSync(join(tmpdir(), 'osm-out-'));
let n = 0;
const fresh = (): string => { const d = join(base, `t${++n}`); mkdirSync(d); return d; };

function outputError(fn: () => unknown): OutputError {
  try { fn(); } catch (err) {
    assert.instance(err, OutputError, String(err));
    assert.not.match((err as Error).message, /\.tmp|osm-\d/, 'a message names the temporary file');
    assert.not.match((err as Error).message, /\n/);
    return err as OutputError;
  }
  throw new assert.Assertion({ message: 'expected an OutputError' } as never);
}

test('a new regular file is written whole and nothing else is left in its folder', () => {
  const d = fresh();
  writeOutputFile(checkOutputPath(join(d, 'r.html'), '--report'), '<html></html>');
  assert.is(readFileSync(join(d, 'r.html'), 'utf8'), '<html></html>');
  assert.equal(readdirSync(d), ['r.html']);
});

test('an existing regular file is replaced and keeps its permissions', () => {
  const d = fresh();
  const p = join(d, 'old.bin');
  writeFileSync(p, 'old');
  chmodSync(p, 0o640);
  writeOutputFile(p, new Uint8Array([1, 2, 3]), '--save-eeprom');
  assert.equal([...readFileSync(p)], [1, 2, 3]);
  assert.is(statSync(p).mode & 0o777, 0o640);
  assert.equal(readdirSync(d), ['old.bin']);
});

test('a read-only file is refused before any work and left as it was', () => {
  const d = fresh();
  const p = join(d, 'keep.jsonl');
  writeFileSync(p, 'precious\n');
  chmodSync(p, 0o444);
  const e = outputError(() => checkOutputPath(p, '--trace'));
  assert.is(e.message, `--trace: cannot write '${p}': the file is read-only; make it writable (chmod u+w ${p}) or give another file name`);
  assert.is(readFileSync(p, 'utf8'), 'precious\n');
  assert.is(statSync(p).mode & 0o777, 0o444);
  assert.equal(readdirSync(d), ['keep.jsonl']);
});

test('a symlink to a regular file: the linked file is replaced, the link stays a link', () => {
  const d = fresh();
  const target = join(d, 'real.txt');
  writeFileSync(target, 'old');
  const link = join(d, 'link.txt');
  symlinkSync(target, link);
  writeOutputFile(link, 'new', '--report');
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.is(readFileSync(target, 'utf8'), 'new');
  assert.equal(readdirSync(d).sort(), ['link.txt', 'real.txt']);
});

test('a dangling symlink: the file is created where the link points', () => {
  const d = fresh();
  const link = join(d, 'link.txt');
  symlinkSync('made.txt', link);
  writeOutputFile(link, 'x', '--report');
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.is(readFileSync(join(d, 'made.txt'), 'utf8'), 'x');
});

test('a character device is written directly and stays a device', () => {
  const d = fresh();
  const dev = join(d, 'null');
  const mk = spawnSync('mknod', [dev, 'c', '1', '3']);
  const path = mk.status === 0 ? dev : '/dev/null';
  const t = checkOutputPath(path, '--trace');
  assert.is(t.kind, 'stream');
  const s = openOutputStream(t);
  s.write('{"t":0}\n');
  s.commit();
  assert.ok(statSync(path).isCharacterDevice());
  if (path === dev) assert.equal(readdirSync(d), ['null']);
});

test('a FIFO is streamed to and stays a FIFO', () => {
  const d = fresh();
  const fifo = join(d, 'pipe');
  const mk = spawnSync('mkfifo', [fifo]);
  assert.is(mk.status, 0, 'mkfifo failed');
  // A reader first (non-blocking), so opening the writer does not wait.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    writeOutputFile(fifo, 'through the pipe\n', '--trace');
    const buf = Buffer.alloc(100);
    const got = readSync(reader, buf, 0, 100, null);
    assert.is(buf.subarray(0, got).toString(), 'through the pipe\n');
  } finally {
    closeSync(reader);
  }
  assert.ok(statSync(fifo).isFIFO());
  assert.equal(readdirSync(d), ['pipe']);
});

test('a FIFO that no process reads is refused with a clear message instead of blocking the process for good', () => {
  const d = fresh();
  const fifo = join(d, 'pipe');
  assert.is(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo failed');
  // In a child process: before the fix the open blocked in the system call, and the timeout ends the child.
  const code = `import { checkOutputPath, openOutputStream } from ${JSON.stringify(join(root, 'io/output-file.ts'))};
try { const s = openOutputStream(checkOutputPath(${JSON.stringify(fifo)}, '--trace')); s.write('x'); s.commit(); console.log('written'); }
catch (e) { console.log(e.name + ': ' + e.message); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, `the child did not end by itself (${r.signal ?? r.stderr})`);
  assert.is(r.stdout, `OutputError: --trace: cannot write the FIFO '${fifo}': no process opened it for reading within 3 s; start its reader first (e.g. cat ${fifo} > copy &)\n`);
  assert.ok(statSync(fifo).isFIFO());
  assert.equal(readdirSync(d), ['pipe']);
});

test('- is standard output, written directly', () => {
  const t = checkOutputPath('-', '--trace');
  assert.is(t.kind, 'stream');
  assert.is(t.target, '-');
});

test('a directory is refused with a file name to give instead', () => {
  const d = fresh();
  const e = outputError(() => checkOutputPath(d, '--trace'));
  assert.match(e.message, /^--trace: '.*' is a directory; give a file name \(e\.g\. .*trace\.jsonl\)$/);
});

test('a directory given for an output of another kind suggests a name of that kind, not an EEPROM dump', () => {
  const d = fresh();
  assert.match(outputError(() => checkOutputPath(d, '--out', 'front-end.cir')).message, /give a file name \(e\.g\. .*front-end\.cir\)$/);
  assert.match(outputError(() => checkOutputPath(d, '--json')).message, /give a file name \(e\.g\. .*\.json\)$/);
  assert.match(outputError(() => checkOutputPath(d, '--save-eeprom')).message, /give a file name \(e\.g\. .*eeprom\.bin\)$/);
});

test('a socket is refused', async () => {
  const d = fresh();
  const sock = join(d, 's.sock');
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(sock, r));
  try {
    const e = outputError(() => checkOutputPath(sock, '--report'));
    assert.match(e.message, /it is a socket; give a regular file name/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('a missing folder is named, with how to make it', () => {
  const d = fresh();
  const e = outputError(() => checkOutputPath(join(d, 'no', 'x.html'), '--report'));
  assert.match(e.message, /the folder '.*\/no' does not exist; create it first \(mkdir -p .*\/no\)$/);
  assert.equal(readdirSync(d), []);
});

test('a path whose folder is a file is refused', () => {
  const d = fresh();
  writeFileSync(join(d, 'f'), '');
  const e = outputError(() => checkOutputPath(join(d, 'f', 'x.bin'), '--save-eeprom'));
  assert.match(e.message, /is not a folder/);
});

test('a place where no file can be created (/proc) is refused before any work, naming the folder', () => {
  const e = outputError(() => checkOutputPath('/proc/x.html', '--report'));
  assert.is(e.message, "--report: cannot write '/proc/x.html': cannot create files in the folder '/proc' (permission denied); choose another place or make the folder writable");
});

test('a read-only mount is refused (skipped where a read-only bind mount cannot be made)', () => {
  const d = fresh();
  const ro = join(d, 'ro');
  mkdirSync(ro);
  const m = spawnSync('mount', ['--bind', '-o', 'ro', ro, ro], { encoding: 'utf8' });
  if (m.status !== 0) return;
  try {
    const e = outputError(() => checkOutputPath(join(ro, 'x.html'), '--report'));
    assert.match(e.message, /read-only/);
  } finally {
    spawnSync('umount', [ro]);
  }
});

test('a full device (/dev/full) gives a clear error and is still a character device afterwards', () => {
  const e = outputError(() => writeOutputFile('/dev/full', 'x'.repeat(10000), '--report'));
  assert.is(e.message, "--report: cannot write '/dev/full': no space left on the device");
  assert.ok(statSync('/dev/full').isCharacterDevice());
});

test('a full disk while writing a regular file: a clear error, the old file kept, no partial file (skipped where a small tmpfs cannot be mounted)', () => {
  const d = fresh();
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d]);
  if (m.status !== 0) return;
  try {
    const p = join(d, 'report.html');
    writeFileSync(p, 'old report');
    const e = outputError(() => writeOutputFile(p, 'x'.repeat(1 << 20), '--report'));
    assert.match(e.message, /^--report: cannot write '.*report\.html': no space left on the device$/);
    assert.is(readFileSync(p, 'utf8'), 'old report');
    assert.equal(readdirSync(d), ['report.html']);
  } finally {
    spawnSync('umount', [d]);
  }
});

test('a failed write of a regular file leaves the old file as it was and no temporary file', () => {
  const d = fresh();
  const p = join(d, 'keep.txt');
  writeFileSync(p, 'old');
  const s = openOutputStream(p, '--trace');
  s.write('partial');
  s.abort();
  assert.is(readFileSync(p, 'utf8'), 'old');
  assert.equal(readdirSync(d), ['keep.txt']);
});

test('a stream still open when the process exits leaves no temporary file', () => {
  const d = fresh();
  const code = `import { openOutputStream } from ${JSON.stringify(join(root, 'io/output-file.ts'))};
const s = openOutputStream(${JSON.stringify(join(d, 'x.jsonl'))}, '--trace'); s.write('a'); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(d), []);
});

async function interrupted(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  const d = fresh();
  const scenario = join(d, 'long.yaml');
  writeFileSync(scenario, 'name: long\nversion: 1\nplant:\n  loads: [{ id: kettle, watts: 2000 }]\nsteps:\n  - delay: 1000d\n');
  const trace = join(d, 'out.jsonl');
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/osm.ts', 'run', scenario, '--trace', trace, '--quiet'], {
    cwd: root, env: { ...process.env, OSM_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  try {
    // Wait until the trace has been written to (its temporary file holds data), then interrupt.
    for (let i = 0; i < 600; i++) {
      const tmp = readdirSync(d).find((f) => f.endsWith('.tmp'));
      if (tmp && statSync(join(d, tmp)).size > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill(signal);
    const code = await exited;
    assert.is(code, signal === 'SIGINT' ? 130 : 143, stderr);
    assert.match(stderr, new RegExp(`stopped by ${signal} at t=.* the trace .*out\\.jsonl holds the \\d+ events up to then`));
    assert.equal(readdirSync(d).sort(), ['long.yaml', 'out.jsonl']);
    const lines = readFileSync(trace, 'utf8').split('\n');
    assert.is(lines.pop(), '', 'the trace ends with a whole line');
    assert.ok(lines.length > 10, `only ${lines.length} lines`);
    for (const l of lines) JSON.parse(l);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('SIGINT during osm run --trace closes the trace as a valid file of the events so far and exits 130', async () => {
  await interrupted('SIGINT');
});

test('SIGTERM during osm run --trace does the same and exits 143', async () => {
  await interrupted('SIGTERM');
});

test('checkDistinctOutputs refuses an output that is an input (also through a symlink) or another output, and lets streams share', () => {
  const d = fresh();
  const input = join(d, 'scenario.yaml');
  writeFileSync(input, 'x');
  symlinkSync(input, join(d, 'link.yaml'));
  const viaLink = checkOutputPath(join(d, 'link.yaml'), '--trace');
  assert.match(outputError(() => checkDistinctOutputs([viaLink], [{ path: input, what: 'the scenario' }])).message,
    /^--trace: '.*link\.yaml' is the scenario this command reads; give another file name$/);
  const a = checkOutputPath(join(d, 'out.txt'), '--trace');
  const b = checkOutputPath(join(d, 'out.txt'), '--debug-log');
  assert.match(outputError(() => checkDistinctOutputs([a, undefined, b])).message, /^--debug-log: '.*out\.txt' is also the --trace file/);
  checkDistinctOutputs([checkOutputPath('/dev/null', '--trace'), checkOutputPath('/dev/null', '--debug-log')], [{ path: '/dev/null', what: 'x' }]);
  const save = checkOutputPath(input, '--save-eeprom');
  checkDistinctOutputs([save], [{ path: input, what: 'the --eeprom dump', mayBe: '--save-eeprom' }]);
  assert.is(readFileSync(input, 'utf8'), 'x');
});

test('standard output to a pipe whose reader is slow gets every byte (a full non-blocking pipe is waited for, not an error)', async () => {
  const size = 1 << 20;
  const code = `import { writeOutputFile } from ${JSON.stringify(join(root, 'io/output-file.ts'))};
process.stdout.write(''); writeOutputFile('-', 'x'.repeat(${size}), '--report');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c; });
  const closed = new Promise<number | null>((r) => child.on('close', r));
  child.stdout.pause();
  await new Promise((r) => setTimeout(r, 1500)); // the pipe (64 KiB) fills long before the reader starts
  let bytes = 0;
  child.stdout.on('data', (c: Buffer) => { bytes += c.length; });
  child.stdout.resume();
  assert.is(await closed, 0, err);
  assert.is(bytes, size);
});

test.after(() => { rmSync(base, { recursive: true, force: true }); });

test.run();
