import { err, ok, type Result } from '@fq/result';
import { type EngineIssue, MappingInvalidError } from '../../errors';
import { DEFAULT_MAPPING, UPSTREAM_COMPATIBLE_MAPPING } from '../default-mapping';
import { EngineMapping } from '../mapping.schema';
import { importFhirMapping } from './fhir-mapping.loader';
import { toMappingIssues } from './mapping-issues';

export interface SiteMappingOptions {
  /** Read the data as the FDPG stack does (decision 0002): the built-in mapping and an imported file alike. */
  upstreamCompatible?: boolean;
  /** Receives import warnings (see `importFhirMapping`). */
  onWarning?: (issue: EngineIssue) => void;
}

/**
 * The mapping a site evaluates with: the built-in one of the chosen reading, or a mapping file's JSON (`undefined`
 * for none). An array is an upstream `mapping_fhir.json`, imported on that base with the same reading (decision
 * 0002); an object is our own mapping format, taken as written.
 */
export function resolveSiteMapping(
  json: unknown,
  options: SiteMappingOptions = {},
): Result<EngineMapping, MappingInvalidError> {
  const upstream = options.upstreamCompatible === true;
  const base = upstream ? UPSTREAM_COMPATIBLE_MAPPING : DEFAULT_MAPPING;
  if (json === undefined) {
    return ok(base);
  }
  if (Array.isArray(json)) {
    return importFhirMapping(json, base, {
      reading: upstream ? 'upstream' : 'clinical',
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    });
  }
  const parsed = EngineMapping.safeParse(json, { reportInput: true });
  return parsed.success
    ? ok(parsed.data)
    : err(
        new MappingInvalidError('not a valid mapping', toMappingIssues(parsed.error.issues), { cause: parsed.error }),
      );
}
