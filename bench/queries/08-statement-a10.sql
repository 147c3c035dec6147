-- Medikamentenverordnung (MedicationStatement) ATC A10: inline codes or the referenced Medication's.
SELECT COUNT(DISTINCT u.patient)
FROM medication_uses u
WHERE u.kind = 'MedicationStatement'
  AND (
    (u.inline_system = 'http://fhir.de/CodeSystem/bfarm/atc' AND u.inline_code LIKE 'A10%')
    OR u.medication IN (
      SELECT medication
      FROM medications
      WHERE system = 'http://fhir.de/CodeSystem/bfarm/atc' AND code LIKE 'A10%'
    )
  )
  AND u.patient IN (SELECT patient FROM patients);
