-- Medikamentenverabreichung ATC B01 (and every ATC code below it): inline codes or the referenced Medication's.
SELECT COUNT(DISTINCT u.patient)
FROM medication_uses u
WHERE u.kind = 'MedicationAdministration'
  AND (
    (u.inline_system = 'http://fhir.de/CodeSystem/bfarm/atc' AND u.inline_code LIKE 'B01%')
    OR u.medication IN (
      SELECT medication
      FROM medications
      WHERE system = 'http://fhir.de/CodeSystem/bfarm/atc' AND code LIKE 'B01%'
    )
  )
  AND u.patient IN (SELECT patient FROM patients);
