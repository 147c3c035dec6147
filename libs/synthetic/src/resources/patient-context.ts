import { REFERENCE_DAY, atMinute, formatDate, yearOf } from '../calendar';
import type { ClinicalFlag } from '../catalogs/clinical-flags.catalog';
import type { DiagnosisEntry } from '../catalogs/icd10gm.catalog';
import type { ClinicalPlan, PlannedEncounter } from '../clinical-plan.generator';
import type { Person } from '../demographics.generator';
import { type SyntheticResource, reference } from '../fhir-shapes';
import { type Build, drawBuild } from '../measurement.generator';
import type { SeededRandom } from '../seeded-random';

export const MINUTES_PER_DAY = 1440;
export const LAST_MINUTE = atMinute(REFERENCE_DAY, MINUTES_PER_DAY - 1);

export const dayOf = (minute: number): number => Math.floor(minute / MINUTES_PER_DAY);
export const dateOf = (minute: number): string => formatDate(dayOf(minute));
/** Code-system version of the catalog year in force at a time (ICD-10-GM and OPS are released yearly). */
export const catalogVersion = (minute: number): string => String(Math.min(2025, Math.max(2015, yearOf(dayOf(minute)))));

export interface EmittedCondition {
  id: string;
  entry: DiagnosisEntry;
}

/** One patient's state while its resources are built from a finished plan; ids are `p<n>-<kind>-<k>`. */
export class PatientContext {
  readonly resources: SyntheticResource[] = [];
  readonly patientId: string;
  readonly subject: { reference: string };
  private readonly counters = new Map<string, number>();
  readonly conditions: EmittedCondition[] = [];
  /** Flags known by the current encounter: long-term conditions plus every diagnosis so far. */
  readonly knownFlags: Set<ClinicalFlag>;
  readonly build: Build;
  readonly lastMinute: number;

  constructor(
    readonly random: SeededRandom,
    patientNumber: number,
    readonly person: Person,
    readonly plan: ClinicalPlan,
    readonly deathMinute: number | undefined,
  ) {
    this.patientId = `p${patientNumber}`;
    this.subject = reference('Patient', this.patientId);
    this.build = drawBuild(random, plan.flags);
    this.lastMinute = deathMinute ?? LAST_MINUTE;
    this.knownFlags = new Set(plan.chronicFlags);
  }

  nextId(kind: string): string {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return `${this.patientId}-${kind}-${n}`;
  }

  /** A random minute in [from, to], never after the patient's last possible minute. */
  minuteBetween(from: number, to: number): number {
    const upper = Math.min(to, this.lastMinute);
    return upper <= from ? Math.min(from, this.lastMinute) : this.random.int(from, upper);
  }

  endOf(encounter: PlannedEncounter): number {
    return Math.min(encounter.end ?? LAST_MINUTE, this.lastMinute);
  }

  /** The most recent cancer diagnosis emitted so far, if any. */
  lastCancerCondition(): EmittedCondition | undefined {
    for (let i = this.conditions.length - 1; i >= 0; i--) {
      if (this.conditions[i].entry.code.startsWith('C')) {
        return this.conditions[i];
      }
    }
    return undefined;
  }
}
