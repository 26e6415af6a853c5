// Builds an Arduino sketch of hil-rig/firmware/ for the Mega 2560 with Debian's toolchain (gcc-avr, avr-libc) and
// Arduino core (arduino-core-avr), the way the Arduino IDE does: the core's C, C++ and assembly files and the sketch
// (the .ino with `#include <Arduino.h>` in front) compiled with the core's flags, linked, and turned into a raw image.
// No library beyond the core is used. The result is cached by the hash of the sources and the flags.
//
//   node --import tsx hil-rig/firmware/build-sketch.ts [afe-responder] [--out DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian's arduino-core-avr puts the AVR core. */
export const ARDUINO_AVR = '/usr/share/arduino/hardware/arduino/avr';

/** The Mega 2560 as boards.txt describes it (mega.menu.cpu.atmega2560). */
export const MEGA2560 = { mcu: 'atmega2560', fCpu: 16_000_000, board: 'AVR_MEGA2560', variant: 'mega' } as const;

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

export interface BuiltSketch {
  /** The flash image, from address 0. */
  image: Uint8Array;
  elfPath: string;
  hexPath: string;
  binPath: string;
  /** Bytes of flash and of static RAM the image uses (avr-size). */
  flashBytes: number;
  ramBytes: number;
}

export class ToolchainMissing extends Error {
  override readonly name = 'ToolchainMissing';
}

/** Null when gcc-avr, avr-libc and arduino-core-avr are installed, else what is missing. */
export function toolchainProblem(): string | null {
  const missing: string[] = [];
  for (const tool of ['avr-gcc', 'avr-g++', 'avr-objcopy', 'avr-size']) {
    try { execFileSync(tool, ['--version'], { stdio: 'ignore' }); } catch { missing.push(tool); }
  }
  if (missing.length) return `${missing.join(', ')} not found (Debian: apt-get install gcc-avr avr-libc)`;
  if (!existsSync('/usr/lib/avr/include/avr/io.h')) return 'avr-libc headers not found (Debian: apt-get install avr-libc)';
  if (!existsSync(join(ARDUINO_AVR, 'cores', 'arduino', 'Arduino.h'))) return `the Arduino AVR core is not at ${ARDUINO_AVR} (Debian: apt-get install arduino-core-avr)`;
  return null;
}

function flags(): { common: string[]; c: string[]; cxx: string[]; s: string[] } {
  const core = join(ARDUINO_AVR, 'cores', 'arduino');
  const variant = join(ARDUINO_AVR, 'variants', MEGA2560.variant);
  const common = ['-c', '-g', '-Os', '-Wall', '-ffunction-sections', '-fdata-sections', `-mmcu=${MEGA2560.mcu}`,
    `-DF_CPU=${MEGA2560.fCpu}L`, '-DARDUINO=10819', `-DARDUINO_${MEGA2560.board}`, '-DARDUINO_ARCH_AVR', `-I${core}`, `-I${variant}`];
  return {
    common,
    c: ['-std=gnu11'],
    // Debian's avr-gcc 5.4 defines DECIMAL_DIG for C11 only; the core's WString.cpp wants it in C++ too.
    cxx: ['-std=gnu++11', '-fpermissive', '-fno-exceptions', '-fno-threadsafe-statics', '-Wno-error=narrowing', '-DDECIMAL_DIG=__DECIMAL_DIG__'],
    s: ['-x', 'assembler-with-cpp'],
  };
}

/** Build `hil-rig/firmware/<name>/<name>.ino` into `outDir` (default `out/hil-rig/<name>/`). */
export function buildSketch(name: string, outDir = join(ROOT, 'out', 'hil-rig', name)): BuiltSketch {
  const problem = toolchainProblem();
  if (problem) throw new ToolchainMissing(`cannot build ${name}: ${problem}`);
  const sketch = join(HERE, name, `${name}.ino`);
  if (!existsSync(sketch)) throw new Error(`no sketch ${sketch}`);
  const coreDir = join(ARDUINO_AVR, 'cores', 'arduino');
  const coreFiles = readdirSync(coreDir).filter((f) => /\.(c|cpp|S)$/.test(f)).sort();
  const f = flags();
  const source = readFileSync(sketch, 'utf8');
  const hash = createHash('sha256').update(JSON.stringify([f, coreFiles, source, execFileSync('avr-gcc', ['--version']).toString()])).digest('hex').slice(0, 16);
  const elfPath = join(outDir, `${name}.elf`);
  const hexPath = join(outDir, `${name}.hex`);
  const binPath = join(outDir, `${name}.bin`);
  const stamp = join(outDir, 'build.hash');
  if (!(existsSync(stamp) && readFileSync(stamp, 'utf8') === hash && existsSync(binPath) && existsSync(elfPath))) {
    // Build in a scratch folder beside the output and move the results in: never a half-built image in outDir.
    const work = `${outDir}.building-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'core'), { recursive: true });
    try {
      const objects: string[] = [];
      for (const file of coreFiles) {
        const obj = join(work, 'core', `${file}.o`);
        const src = join(coreDir, file);
        if (file.endsWith('.S')) execFileSync('avr-gcc', [...f.common, ...f.s, src, '-o', obj]);
        else if (file.endsWith('.c')) execFileSync('avr-gcc', [...f.common, ...f.c, '-w', src, '-o', obj]);
        else execFileSync('avr-g++', [...f.common, ...f.cxx, '-w', src, '-o', obj]);
        objects.push(obj);
      }
      const cpp = join(work, `${name}.ino.cpp`);
      writeFileSync(cpp, `#include <Arduino.h>\n#line 1 "${basename(sketch)}"\n${source}`);
      const sketchObj = join(work, `${name}.ino.o`);
      execFileSync('avr-g++', [...f.common, ...f.cxx, '-Werror', cpp, '-o', sketchObj], { stdio: ['ignore', 'pipe', 'pipe'] });
      const elf = join(work, `${name}.elf`);
      execFileSync('avr-gcc', ['-Os', '-Wl,--gc-sections', `-mmcu=${MEGA2560.mcu}`, '-o', elf, sketchObj, ...objects, '-lm']);
      execFileSync('avr-objcopy', ['-O', 'ihex', '-R', '.eeprom', elf, join(work, `${name}.hex`)]);
      execFileSync('avr-objcopy', ['-O', 'binary', '-R', '.eeprom', elf, join(work, `${name}.bin`)]);
      mkdirSync(outDir, { recursive: true });
      for (const ext of ['elf', 'hex', 'bin']) renameSync(join(work, `${name}.${ext}`), join(outDir, `${name}.${ext}`));
      writeFileSync(stamp, hash);
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`building ${name} failed: ${e.stderr?.toString().trim() || e.message}`, { cause: err });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const size = execFileSync('avr-size', ['-A', elfPath]).toString();
  const section = (s: string): number => Number(new RegExp(`^\\${s}\\s+(\\d+)`, 'm').exec(size)?.[1] ?? 0);
  return {
    image: new Uint8Array(readFileSync(binPath)),
    elfPath, hexPath, binPath,
    flashBytes: section('.text') + section('.data'),
    ramBytes: section('.data') + section('.bss'),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const name = args.find((a, i) => !a.startsWith('--') && i !== outAt + 1) ?? 'afe-responder';
  try {
    const built = buildSketch(name, outAt >= 0 ? resolve(args[outAt + 1]) : undefined);
    process.stdout.write(`${name}: ${built.hexPath} (${built.flashBytes} bytes of flash, ${built.ramBytes} bytes of RAM)\n`);
  } catch (err) {
    process.stderr.write(`build-sketch: ${(err as Error).message}\n`);
    process.exit(err instanceof ToolchainMissing ? 2 : 1);
  }
}
