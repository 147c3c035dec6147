import { type Err, err, formatIssuePath, ok, type Result } from '@fq/result';
import { type EngineIssue, MappingInvalidError } from '../../errors';
import {
  type AttributeMapping,
  type CodeSource,
  type CriterionMapping,
  EngineMapping,
  type MappedCode,
  type PatientLink,
  type ValueMapping,
} from '../mapping.schema';
import { MappingIssueCode, toMappingIssues } from './mapping-issues';
import { type SearchParameterDefinition, fhirPathString, findSearchParameter } from './search-parameters';
import {
  FhirMappingFile,
  type UpstreamAttributeSearchParameter,
  type UpstreamFhirMappingEntry,
  type UpstreamFilterType,
  type UpstreamFixedCriterion,
} from './upstream-mapping.schema';

/**
 * `clinical`: the readings of DEFAULT_MAPPING (a consent policy code counts only in a `permit` provision, inline
 * medication codes count, a referenced resource must belong to the same patient). `upstream`: FLARE's literal
 * reading of the file, as in UPSTREAM_COMPATIBLE_MAPPING.
 */
export type FhirMappingReading = 'clinical' | 'upstream';

export interface ImportFhirMappingOptions {
  /** Name of the produced mapping (default `<base name>+mapping_fhir`). */
  name?: string;
  /** Default `clinical`. */
  reading?: FhirMappingReading;
  /** Receives entries whose valueType or attributeType disagrees with the search parameter's type (the parameter wins). */
  onWarning?: (issue: EngineIssue) => void;
}

// Where the clinical reading reads a narrower (or an additional) element than the search parameter.
const CLINICAL_CODE_PATHS: Readonly<Record<string, string>> = {
  'Consent|mii-provision-provision-code': "provision.provision.where(type = 'permit').code.coding",
};
const CLINICAL_INLINE_CHAINS: Readonly<Record<string, string>> = { 'medication.code': 'code' };

const PATIENT_ELEMENT_TYPES: ReadonlySet<string> = new Set([
  'AllergyIntolerance',
  'BodyStructure',
  'Claim',
  'ClaimResponse',
  'Consent',
  'Device',
  'ExplanationOfBenefit',
  'FamilyMemberHistory',
  'Immunization',
  'ImmunizationEvaluation',
  'ImmunizationRecommendation',
]);

/** How a resource of `resourceType` reaches its patient (FLARE: `patient` for Consent and Immunization, else `subject`). */
function patientLinkOf(resourceType: string): PatientLink {
  if (resourceType === 'Patient') {
    return { self: true };
  }
  return { reference: PATIENT_ELEMENT_TYPES.has(resourceType) ? 'patient.reference' : 'subject.reference' };
}

const mapped = (termCode: MappedCode): MappedCode => ({ system: termCode.system, code: termCode.code });
const codeKey = (...parts: string[]): string => parts.join('\u0000');

interface Translation {
  criterion: CriterionMapping;
  /** Entries that translate to the same criterion (apart from their term codes) are merged on this. */
  mergeKey: string;
}

/** Translates the entries of one `mapping_fhir.json`, collecting every issue rather than stopping at the first. */
class FhirMappingTranslator {
  readonly issues: EngineIssue[] = [];

  constructor(
    private readonly reading: FhirMappingReading,
    private readonly warn: (issue: EngineIssue) => void,
  ) {}

  translate(entry: UpstreamFhirMappingEntry, index: number): Translation | null {
    const issuesBefore = this.issues.length;
    const resourceType = entry.fhirResourceType;
    const criterion: CriterionMapping = {
      name: entry.name ?? entry.context.code,
      context: mapped(entry.context),
      termCodes: [mapped(entry.key)],
      resourceType,
      patient: patientLinkOf(resourceType),
    };
    const fixed = entry.fixedCriteria ?? [];
    if (entry.termCodeSearchParameter !== undefined) {
      if (fixed.length > 0) {
        this.unsupported(
          [index, 'fixedCriteria'],
          'fixedCriteria next to a termCodeSearchParameter cannot be expressed in an engine mapping',
        );
      }
      const code = this.codeSource(resourceType, entry.termCodeSearchParameter, [index, 'termCodeSearchParameter']);
      if (code !== null) {
        criterion.code = code;
      }
    } else if (fixed.length > 0) {
      const conjunction = this.conjunction(resourceType, fixed, [index, 'fixedCriteria']);
      if (conjunction !== null) {
        criterion.code = { path: conjunction.path };
        criterion.codeConjunctions = { [entry.key.code]: conjunction.codes };
      }
    }
    if (entry.timeRestrictionParameter !== undefined) {
      const at = [index, 'timeRestrictionParameter'];
      const definition = this.lookup(resourceType, entry.timeRestrictionParameter, at);
      if (definition !== null && definition.kind !== 'date') {
        this.unsupported(at, `"${entry.timeRestrictionParameter}" is a ${definition.kind} parameter, not a date`);
      } else if (definition !== null) {
        criterion.time = definition.path;
      }
    }
    if (entry.valueSearchParameter !== undefined) {
      const value = this.value(resourceType, entry.valueSearchParameter, entry.valueType, index);
      if (value !== null) {
        criterion.values = [value];
      }
    }
    const attributes = (entry.attributeSearchParameters ?? [])
      .map((attribute, j) => this.attribute(resourceType, attribute, [index, 'attributeSearchParameters', j]))
      .filter((attribute): attribute is AttributeMapping => attribute !== null);
    if (attributes.length > 0) {
      criterion.attributes = attributes;
    }
    if (this.issues.length > issuesBefore) {
      return null;
    }
    const { name: _name, termCodes: _termCodes, codeConjunctions, ...shape } = criterion;
    // Conjunctions are keyed by code alone, so only entries of one term-code system may share them.
    const mergeKey = JSON.stringify({
      ...shape,
      conjunctionSystem: codeConjunctions === undefined ? null : entry.key.system,
    });
    return { criterion, mergeKey };
  }

  private lookup(resourceType: string, name: string, at: PropertyKey[]): SearchParameterDefinition | null {
    const definition = findSearchParameter(resourceType, name);
    if (definition === null) {
      this.issues.push({
        path: formatIssuePath(at),
        code: MappingIssueCode.SearchParameterUnknown,
        message: `entry ${String(at[0])}: unknown search parameter "${name}" for ${resourceType}`,
      });
    }
    return definition;
  }

  private unsupported(at: PropertyKey[], message: string): void {
    this.issues.push({
      path: formatIssuePath(at),
      code: MappingIssueCode.Unsupported,
      message: `entry ${String(at[0])}: ${message}`,
    });
  }

  private mismatch(
    at: PropertyKey[],
    declared: UpstreamFilterType,
    parameter: string,
    kind: string,
    used: string,
  ): void {
    this.warn({
      path: formatIssuePath(at),
      code: MappingIssueCode.TypeMismatch,
      message: `entry ${String(at[0])}: type "${declared}" does not fit ${kind} parameter "${parameter}"; read as ${used}`,
    });
  }

  /** The Codings a token parameter reads, with the clinical reading's narrower element where it has one. */
  private codingPath(resourceType: string, name: string, definition: SearchParameterDefinition): string {
    const clinical = this.reading === 'clinical' ? CLINICAL_CODE_PATHS[`${resourceType}|${name}`] : undefined;
    return clinical ?? definition.path;
  }

  private codeSource(resourceType: string, name: string, at: PropertyKey[]): CodeSource | null {
    const chain = name.split('.');
    if (chain.length > 2) {
      this.unsupported(at, `"${name}" chains more than one reference`);
      return null;
    }
    if (chain.length === 1) {
      const definition = this.lookup(resourceType, name, at);
      if (definition === null) {
        return null;
      }
      if (definition.kind !== 'coding') {
        this.unsupported(
          at,
          `the term code parameter "${name}" is a ${definition.kind} parameter, not a token on a code`,
        );
        return null;
      }
      return { path: this.codingPath(resourceType, name, definition) };
    }
    const [referenceName, targetName] = chain;
    const reference = this.lookup(resourceType, referenceName, at);
    if (reference === null) {
      return null;
    }
    if (reference.kind !== 'reference') {
      this.unsupported(at, `"${referenceName}" in "${name}" is not a reference parameter`);
      return null;
    }
    const target = this.lookup(reference.target, targetName, at);
    if (target === null) {
      return null;
    }
    if (target.kind !== 'coding') {
      this.unsupported(
        at,
        `"${targetName}" on ${reference.target} is a ${target.kind} parameter, not a token on a code`,
      );
      return null;
    }
    const source: CodeSource = {
      via: { reference: reference.path, resourceType: reference.target, path: target.path },
    };
    const inlineName = this.reading === 'clinical' ? CLINICAL_INLINE_CHAINS[name] : undefined;
    const inline = inlineName === undefined ? null : findSearchParameter(resourceType, inlineName);
    return inline?.kind === 'coding' ? { path: inline.path, ...source } : source;
  }

  /** Combined consent: each fixed criterion requires one more code on the same element (all ANDed). */
  private conjunction(
    resourceType: string,
    fixed: readonly UpstreamFixedCriterion[],
    at: PropertyKey[],
  ): { path: string; codes: MappedCode[] } | null {
    const name = fixed[0].searchParameter;
    let representable = true;
    fixed.forEach((criterion, j) => {
      if (criterion.type !== 'coding') {
        this.unsupported(
          [...at, j, 'type'],
          `fixed criteria of type "${criterion.type}" cannot be expressed in an engine mapping`,
        );
        representable = false;
      } else if (criterion.searchParameter !== name) {
        this.unsupported(
          [...at, j, 'searchParameter'],
          'fixed criteria on different search parameters cannot be expressed',
        );
        representable = false;
      } else if (criterion.value.length !== 1) {
        this.unsupported([...at, j, 'value'], 'a fixed criterion with alternative values cannot be expressed');
        representable = false;
      }
    });
    if (!representable) {
      return null;
    }
    const definition = this.lookup(resourceType, name, [...at, 0, 'searchParameter']);
    if (definition === null) {
      return null;
    }
    if (definition.kind !== 'coding') {
      this.unsupported(
        [...at, 0, 'searchParameter'],
        `"${name}" is a ${definition.kind} parameter, not a token on a code`,
      );
      return null;
    }
    return {
      path: this.codingPath(resourceType, name, definition),
      codes: fixed.map((criterion) => mapped(criterion.value[0])),
    };
  }

  private value(
    resourceType: string,
    name: string,
    declared: UpstreamFilterType | undefined,
    index: number,
  ): ValueMapping | null {
    const at = [index, 'valueSearchParameter'];
    const definition = this.lookup(resourceType, name, at);
    if (definition === null) {
      return null;
    }
    const fits = (...types: UpstreamFilterType[]): boolean => declared === undefined || types.includes(declared);
    const result = (type: ValueMapping['type'], ok: boolean): ValueMapping => {
      if (!ok && declared !== undefined) {
        this.mismatch([index, 'valueType'], declared, name, definition.kind, type);
      }
      return { type, path: definition.path };
    };
    switch (definition.kind) {
      case 'coding':
        return result(declared === 'code' ? 'code' : 'concept', fits('concept', 'code'));
      case 'code':
        return result('code', fits('concept', 'code'));
      case 'quantity':
        return result('quantity', fits('quantity'));
      case 'date':
        return result('age', fits('Age'));
      case 'reference':
      case 'component':
        this.unsupported(at, `a ${definition.kind} parameter ("${name}") cannot carry a value filter`);
        return null;
    }
  }

  private attribute(
    resourceType: string,
    attribute: UpstreamAttributeSearchParameter,
    at: PropertyKey[],
  ): AttributeMapping | null {
    const name = attribute.attributeSearchParameter;
    const definition = this.lookup(resourceType, name, [...at, 'attributeSearchParameter']);
    if (definition === null) {
      return null;
    }
    const key = mapped(attribute.attributeKey);
    const declared = attribute.attributeType;
    const check = (ok: boolean, used: string): void => {
      if (!ok) {
        this.mismatch([...at, 'attributeType'], declared, name, definition.kind, used);
      }
    };
    switch (definition.kind) {
      case 'coding': {
        const type = declared === 'code' ? 'code' : 'concept';
        check(declared === 'concept' || declared === 'code', type);
        return { key, type, path: definition.path };
      }
      case 'code':
        check(declared === 'concept' || declared === 'code', 'code');
        return { key, type: 'code', path: definition.path };
      case 'quantity':
        check(declared === 'quantity', 'quantity');
        return { key, type: 'quantity', path: definition.path };
      case 'reference':
        check(declared === 'reference', 'reference');
        return {
          key,
          type: 'reference',
          path: definition.path,
          targetResourceType: definition.target,
          samePatient: this.reading === 'clinical',
        };
      case 'component': {
        if (attribute.compositeCode === undefined) {
          this.unsupported([...at, 'compositeCode'], `the composite parameter "${name}" needs a compositeCode`);
          return null;
        }
        check(declared === `composite-${definition.value}`, `composite-${definition.value}`);
        const { system, code } = attribute.compositeCode;
        const component = `${definition.path}.where(code.coding.exists(system = ${fhirPathString(system)} and code = ${fhirPathString(code)}))`;
        return definition.value === 'quantity'
          ? { key, type: 'quantity', path: `${component}.value.ofType(Quantity)` }
          : { key, type: 'concept', path: `${component}.value.ofType(CodeableConcept).coding` };
      }
      case 'date':
        this.unsupported([...at, 'attributeSearchParameter'], `a date parameter ("${name}") cannot be an attribute`);
        return null;
    }
  }
}

/** Base entries minus the term codes the import maps; an entry left without codes or systems is dropped. */
function withoutOverridden(base: EngineMapping, imported: ReadonlySet<string>): CriterionMapping[] {
  const normalize = (system: string): string => base.systemAliases[system] ?? system;
  const result: CriterionMapping[] = [];
  for (const entry of base.criteria) {
    if (entry.termCodes === undefined) {
      result.push(entry);
      continue;
    }
    const termCodes = entry.termCodes.filter(
      (termCode) =>
        !imported.has(codeKey(entry.context.system, entry.context.code, normalize(termCode.system), termCode.code)),
    );
    if (termCodes.length === entry.termCodes.length) {
      result.push(entry);
    } else if (termCodes.length > 0) {
      result.push({ ...entry, termCodes });
    } else if (entry.termCodeSystems !== undefined) {
      const { termCodes: _dropped, ...rest } = entry;
      result.push(rest);
    }
  }
  return result;
}

function invalid(issues: EngineIssue[], cause?: unknown): Err<MappingInvalidError> {
  return err(
    new MappingInvalidError(
      `mapping_fhir.json cannot be imported: ${issues.length} issue${issues.length === 1 ? '' : 's'}`,
      issues,
      cause === undefined ? undefined : { cause },
    ),
  );
}

/**
 * Imports an upstream `mapping_fhir.json` (MII-CONTEXTS.md §8.1, §8.4) on top of `base`: each entry's search
 * parameters become FHIRPath, entries that read the same resource the same way become one criterion listing
 * their term codes, and an imported (context, term code) replaces the base's. System aliases and hierarchy rules
 * come from `base`. Any unknown search parameter or inexpressible entry fails the import, listing every issue.
 */
export function importFhirMapping(
  json: unknown,
  base: EngineMapping,
  options: ImportFhirMappingOptions = {},
): Result<EngineMapping, MappingInvalidError> {
  const parsed = FhirMappingFile.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    return invalid(toMappingIssues(parsed.error.issues), parsed.error);
  }
  const translator = new FhirMappingTranslator(options.reading ?? 'clinical', options.onWarning ?? (() => undefined));
  const firstIndex = new Map<string, number>();
  const merged = new Map<string, CriterionMapping>();
  const imported = new Set<string>();
  const normalize = (system: string): string => base.systemAliases[system] ?? system;

  parsed.data.forEach((entry, index) => {
    const identity = codeKey(entry.context.system, entry.context.code, entry.key.system, entry.key.code);
    const first = firstIndex.get(identity);
    if (first !== undefined) {
      translator.issues.push({
        path: formatIssuePath([index]),
        code: MappingIssueCode.DuplicateEntry,
        message: `entry ${index} has the same context and key as entry ${first} (${entry.context.code} ${entry.key.system}|${entry.key.code})`,
      });
      return;
    }
    firstIndex.set(identity, index);
    const translation = translator.translate(entry, index);
    if (translation === null) {
      return;
    }
    imported.add(codeKey(entry.context.system, entry.context.code, normalize(entry.key.system), entry.key.code));
    const existing = merged.get(translation.mergeKey);
    if (existing === undefined) {
      merged.set(translation.mergeKey, translation.criterion);
      return;
    }
    existing.termCodes = [...(existing.termCodes ?? []), ...(translation.criterion.termCodes ?? [])];
    if (translation.criterion.codeConjunctions !== undefined) {
      existing.codeConjunctions = { ...existing.codeConjunctions, ...translation.criterion.codeConjunctions };
    }
  });
  if (translator.issues.length > 0) {
    return invalid(translator.issues);
  }

  const mapping = {
    name: options.name ?? `${base.name}+mapping_fhir`,
    systemAliases: base.systemAliases,
    hierarchyRules: base.hierarchyRules,
    criteria: [...withoutOverridden(base, imported), ...merged.values()],
  };
  // A safety net: the translation should only ever produce valid entries.
  const checked = EngineMapping.safeParse(mapping, { reportInput: true });
  if (!checked.success) {
    const issues = toMappingIssues(checked.error.issues).map((issue) => ({
      ...issue,
      code: MappingIssueCode.ResultInvalid,
      message: `the imported mapping is invalid at ${issue.path}: ${issue.message}`,
    }));
    return invalid(issues, checked.error);
  }
  return ok(checked.data);
}
