-- Diagnose E11.90: ICD-10-GM codes equal to E11.90 or starting with it (the ICD rule for non-category codes).
SELECT COUNT(DISTINCT c.patient)
FROM conditions c
WHERE c.system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm'
  AND c.code LIKE 'E11.90%'
  AND c.patient IN (SELECT patient FROM patients);
