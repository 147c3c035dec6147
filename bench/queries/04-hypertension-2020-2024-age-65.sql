-- Diagnose I10 (category) recorded in 2020-01-01..2024-12-31 (inclusive day overlap) AND age >= 65 years at the
-- evaluation date for every possible birth day (a partial birthDate must qualify at its latest day).
WITH hypertension AS (
  SELECT patient
  FROM conditions
  WHERE system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm'
    AND (code = 'I10' OR code LIKE 'I10.%')
    AND recorded_start <= day_number(DATE '2024-12-31')
    AND recorded_end >= day_number(DATE '2020-01-01')
),
senior AS (
  SELECT patient
  FROM patients
  WHERE birth_start <= birth_end
    AND completed_years(birth_end, getvariable('evaluation_date')) >= 65
)
SELECT COUNT(*) FROM (SELECT patient FROM hypertension INTERSECT SELECT patient FROM senior);
