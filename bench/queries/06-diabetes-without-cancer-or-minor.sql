-- Inclusion Diagnose E11; exclusion groups (OR): Diagnose C50, or age < 18 years for every possible birth day.
WITH diabetes AS (
  SELECT patient
  FROM conditions
  WHERE system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm' AND (code = 'E11' OR code LIKE 'E11.%')
),
breast_cancer AS (
  SELECT patient
  FROM conditions
  WHERE system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm' AND (code = 'C50' OR code LIKE 'C50.%')
),
minor AS (
  SELECT patient
  FROM patients
  WHERE birth_start <= birth_end
    AND completed_years(birth_start, getvariable('evaluation_date')) < 18
)
SELECT COUNT(DISTINCT p.patient)
FROM patients p
WHERE p.patient IN (SELECT patient FROM diabetes)
  AND p.patient NOT IN (SELECT patient FROM breast_cancer)
  AND p.patient NOT IN (SELECT patient FROM minor);
