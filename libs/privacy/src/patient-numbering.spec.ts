import { FIXED_SECRET } from './__fixtures__/noise-fixtures';
import { createRecordKeyDeriver } from './cell-key';
import { PatientNumbering } from './patient-numbering';

describe('PatientNumbering', () => {
  it('numbers patients in order of first sight and hands out the new record keys until they are saved', () => {
    const numbering = new PatientNumbering(FIXED_SECRET);
    expect(['a', 'b', 'a', 'c'].map((id) => numbering.numberOf(id))).toEqual([0, 1, 0, 2]);
    const recordKeyOf = createRecordKeyDeriver(FIXED_SECRET);
    expect(numbering.newRecords().equals(Buffer.concat(['a', 'b', 'c'].map(recordKeyOf)))).toBe(true);
    numbering.markSaved();
    expect([numbering.newCount, numbering.newRecords().length, numbering.count]).toEqual([0, 0, 3]);
  });

  it('continues from stored records, whose patients keep their numbers', () => {
    const first = new PatientNumbering(FIXED_SECRET);
    ['p1', 'p2', 'p3'].forEach((id) => first.numberOf(id));
    const again = new PatientNumbering(FIXED_SECRET, first.newRecords());
    expect(['p3', 'new', 'p1'].map((id) => again.numberOf(id))).toEqual([2, 3, 0]);
    expect(again.newCount).toBe(1);
  });

  it('counts a record key stored twice once, so a caller can tell', () => {
    const one = new PatientNumbering(FIXED_SECRET);
    one.numberOf('x');
    const records = one.newRecords();
    expect(new PatientNumbering(FIXED_SECRET, Buffer.concat([records, records])).count).toBe(1);
  });
});
