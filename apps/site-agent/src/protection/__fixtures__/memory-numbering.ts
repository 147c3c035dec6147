import type { PatientNumbering } from '../count-protection.service';

/** Patient numbers in order of first sight, kept in memory only: for specs that need no state directory. */
export function memoryNumbering(): PatientNumbering & { saves: number } {
  const numbers = new Map<string, number>();
  return {
    saves: 0,
    numberOf(patientId) {
      let number = numbers.get(patientId);
      if (number === undefined) {
        number = numbers.size;
        numbers.set(patientId, number);
      }
      return number;
    },
    save() {
      this.saves++;
      return Promise.resolve();
    },
  };
}
