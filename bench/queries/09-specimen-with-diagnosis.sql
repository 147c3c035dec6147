-- Blood, serum or plasma specimen whose festgestellteDiagnose extension references a Condition of the same patient
-- coded ICD-10-GM E11 or I10 (categories with their subcodes).
SELECT COUNT(DISTINCT s.patient)
FROM specimens s
JOIN conditions c ON c.condition = s.diagnosis_condition AND c.patient = s.patient
WHERE s.system = 'http://snomed.info/sct'
  AND s.code IN ('119297000', '119364003', '119361006')
  AND c.system = 'http://fhir.de/CodeSystem/bfarm/icd-10-gm'
  AND (c.code = 'E11' OR c.code LIKE 'E11.%' OR c.code = 'I10' OR c.code LIKE 'I10.%')
  AND s.patient IN (SELECT patient FROM patients);
