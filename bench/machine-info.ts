import { generateKeyPairSync, sign, verify } from 'node:crypto';
import os from 'node:os';

/** The machine a benchmark ran on, as printed beside its figures. */
export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  totalMemoryBytes: number;
  nodeVersion: string;
  platform: string;
  maxOldSpaceMb: number;
  /** 1-minute load average when described; other work on the machine skews every figure. */
  loadAverage: number;
}

/** Describes this machine and the Node process. */
export function describeMachine(heapLimitBytes: number): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCores: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    nodeVersion: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    maxOldSpaceMb: Math.round(heapLimitBytes / 2 ** 20),
    loadAverage: os.loadavg()[0],
  };
}

/** One line per fact, for the report header. */
export function formatMachine(machine: MachineInfo): string[] {
  return [
    `CPU      ${machine.cpuModel}, ${machine.logicalCores} logical cores`,
    `RAM      ${(machine.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB`,
    `Node     ${machine.nodeVersion} (heap limit ${machine.maxOldSpaceMb} MiB), ${machine.platform}`,
    `Load     ${loadLine(machine.loadAverage, machine.logicalCores)}`,
  ];
}

/** The load average, with a warning when other processes compete for the cores. */
export function loadLine(loadAverage: number, cores: number): string {
  const busy =
    loadAverage > cores / 2 ? ' (WARNING: other processes are busy; figures will be slower and noisier)' : '';
  return `1-minute average ${loadAverage.toFixed(2)}${busy}`;
}

const REFERENCE_VERIFICATIONS = 1000;

/**
 * Microseconds per Ed25519 verification with node's crypto on one core, the best of three rounds: a yardstick for
 * how fast the machine is at the moment. On a shared host it drifts by tens of percent within minutes, and so does
 * every figure measured beside it.
 */
export function speedReferenceMicros(): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const message = Buffer.alloc(512, 1);
  const signature = sign(null, message, privateKey);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < REFERENCE_VERIFICATIONS; i++) {
      if (!verify(null, message, publicKey, signature)) {
        throw new Error('the reference signature did not verify');
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / REFERENCE_VERIFICATIONS);
  }
  return best;
}
