export {
  type Fault,
  type FaultTarget,
  FhirServerDouble,
  type FhirServerDoubleOptions,
  type RegisteredClient,
  type SeenRequest,
  type StoredResource,
} from './fhir-server.double';
