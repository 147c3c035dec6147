-- One OR group of ten Diagnose criteria: eight categories (with their subcodes) and two full codes.
SELECT COUNT(DISTINCT c.patient)
FROM conditions c
WHERE c.system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm'
  AND (
    c.code = 'I21' OR c.code LIKE 'I21.%'
    OR c.code = 'I48' OR c.code LIKE 'I48.%'
    OR c.code = 'I50' OR c.code LIKE 'I50.%'
    OR c.code LIKE 'I63.9%'
    OR c.code = 'J44' OR c.code LIKE 'J44.%'
    OR c.code LIKE 'N18.4%'
    OR c.code = 'C34' OR c.code LIKE 'C34.%'
    OR c.code = 'C50' OR c.code LIKE 'C50.%'
    OR c.code = 'F32' OR c.code LIKE 'F32.%'
    OR c.code = 'G30' OR c.code LIKE 'G30.%'
  )
  AND c.patient IN (SELECT patient FROM patients);
