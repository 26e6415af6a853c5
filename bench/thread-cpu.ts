// CPU time of this process's main thread alone, beside `process.cpuUsage()`, which also counts V8's helper threads:
// the optimizing compiler (which works hardest in a fresh process's first simulated hours) and the garbage
// collector's parallel and concurrent work. Linux only (/proc/self/task/<tid>/stat); null elsewhere.
import { readFileSync } from 'node:fs';

/** The unit of the times in /proc (Linux's USER_HZ, 100 on every architecture Node runs on). */
const USER_HZ = 100;

/** Seconds of CPU the main thread has used (user + system, 10 ms resolution), or null where /proc has no such file. */
export function mainThreadCpuS(): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The fields after the command name in parentheses: state ppid pgrp session tty_nr tpgid flags minflt cminflt
  // majflt cmajflt utime stime ...
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? ticks / USER_HZ : null;
}
