-- Diagnose E11: the category itself and every code below it (E11.x, E11.xx).
SELECT COUNT(DISTINCT c.patient)
FROM conditions c
WHERE c.system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm'
  AND (c.code = 'E11' OR c.code LIKE 'E11.%')
  AND c.patient IN (SELECT patient FROM patients);
