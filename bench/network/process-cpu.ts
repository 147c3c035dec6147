import { existsSync, readFileSync } from 'node:fs';
import { err, ok, type Result } from '@fq/result';

// The unit of utime and stime in /proc/<pid>/stat (USER_HZ); node cannot call sysconf, and `getconf CLK_TCK` is 100
// on Linux x86-64 and arm64 kernels in practice.
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms, all threads) that process `pid` has used so far; null without /proc or once gone. */
export function readProcessCpuMs(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2, the command name in parentheses, may itself hold spaces and ')': count the fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state) in proc(5); utime and stime are fields 14 and 15.
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isSafeInteger(utime) || !Number.isSafeInteger(stime)) {
    return null;
  }
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time (user + system, ms, all threads) that this process has used so far. */
export function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** One row of a CPU table: the processes whose CPU is summed in it, e.g. every site agent. */
export interface CpuGroup {
  readonly label: string;
  readonly processes: readonly { readonly name: string; readonly pid: number | undefined }[];
}

/** CPU ms used so far by each group (in the order given) and by this process, at `atMs` (`performance.now()`). */
export interface CpuSnapshot {
  readonly atMs: number;
  readonly groupMs: readonly number[];
  readonly ownMs: number;
}

export type CpuSnapshotResult = Result<CpuSnapshot, string>;

/** Reads the CPU time of every process in `groups` and of this process; fails, saying why, if one cannot be read. */
export function takeCpuSnapshot(groups: readonly CpuGroup[]): CpuSnapshotResult {
  const atMs = performance.now();
  const ownMs = ownCpuMs();
  const groupMs: number[] = [];
  for (const group of groups) {
    let sum = 0;
    for (const member of group.processes) {
      const ms = member.pid === undefined ? null : readProcessCpuMs(member.pid);
      if (ms === null) {
        return err(unreadableReason(member.name, member.pid));
      }
      sum += ms;
    }
    groupMs.push(sum);
  }
  return ok({ atMs, groupMs, ownMs });
}

function unreadableReason(name: string, pid: number | undefined): string {
  if (!existsSync('/proc/self/stat')) {
    return `no /proc on this machine (${process.platform}); the CPU of other processes is read from /proc/<pid>/stat, as on Linux`;
  }
  return pid === undefined
    ? `${name} has no process id`
    : `/proc/${pid}/stat of ${name} could not be read (has it exited?)`;
}
