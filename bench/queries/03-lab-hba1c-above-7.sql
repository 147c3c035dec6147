-- HbA1c (LOINC 4548-4) above 7 %. The engine converts other UCUM units into %; the generator reports 4548-4 only
-- in %, so a value in another unit would show up as a count mismatch rather than pass silently.
SELECT COUNT(DISTINCT o.patient)
FROM observations o
WHERE o.system = 'http://loinc.org'
  AND o.code = '4548-4'
  AND o.unit = '%'
  AND o.value > 7
  AND o.patient IN (SELECT patient FROM patients);
