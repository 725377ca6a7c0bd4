/**
 * The processes under test: started with their output in a log file (so that writing it costs
 * the load generator nothing), waited for until they answer, stopped with SIGTERM, and measured
 * from /proc: the peak resident set (VmHWM) of the process and of its children (the workers of a
 * cluster), which can be reset between scenarios.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly base: string;
  readonly logFile: string;
  /** SIGTERM, then the exit code (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntilAnswers(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(
        `${url}: the process exited with ${child.exitCode}; see ${logFile}:\n${tail(logFile)}`,
      );
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${timeoutMs} ms; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** Starts `node script args` and resolves once `readyPath` answers 2xx. */
export async function startProcess(options: {
  script: string;
  args?: readonly string[];
  /** Options of node itself, before the script. */
  nodeArgs?: readonly string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  logFile: string;
  timeoutMs?: number;
}): Promise<Started> {
  const out = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])],
    {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', out, out],
    },
  );
  closeSync(out);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const base = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilAnswers(
      `${base}${options.readyPath}`,
      child,
      options.logFile,
      options.timeoutMs ?? 60_000,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    pid: child.pid!,
    port: options.port,
    base,
    logFile: options.logFile,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** The process and its descendants (a cluster's workers). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** Starts a new peak-RSS measurement for the processes (Linux: `5` to clear_refs resets VmHWM). */
export function resetPeakRss(pids: readonly number[]): boolean {
  let ok = true;
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** A memory figure of /proc/<pid>/status (VmHWM, VmRSS) of each process, in MiB. */
function statusMiB(pids: readonly number[], field: 'VmHWM' | 'VmRSS'): Record<number, number> {
  const result: Record<number, number> = {};
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      if (Number.isFinite(kb)) result[pid] = Math.round((kb / 1024) * 10) / 10;
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

/** Peak resident set of each process since its start or the last reset, in MiB. */
export const peakRssMiB = (pids: readonly number[]): Record<number, number> =>
  statusMiB(pids, 'VmHWM');

/** Resident set of each process now, in MiB. */
export const rssMiB = (pids: readonly number[]): Record<number, number> => statusMiB(pids, 'VmRSS');

/**
 * CPU time (user + system) of each process, in seconds; processes gone are left out. With `dir`
 * `/proc/<pid>/task`, of each thread of that process (a process's main thread has its pid).
 */
export function cpuSeconds(pids: readonly number[], dir = '/proc'): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`${dir}/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the ')'.
      times.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // gone
    }
  }
  return times;
}

/** CPU time the whole machine has been busy, in seconds (all cores). */
export function machineBusySeconds(): number {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number) as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat and /proc/stat times. */
const CLOCK_TICKS = 100;

/** Pids of processes whose command line matches (PostgreSQL backends of one database, Redis). */
export function pidsMatching(pattern: RegExp): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (pattern.test(cmdline)) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}
