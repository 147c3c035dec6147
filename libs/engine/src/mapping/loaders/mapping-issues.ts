import { formatIssuePath } from '@fq/result';
import type { z } from 'zod';
import type { EngineIssue } from '../../errors';

/** Stable codes of the issues the mapping loaders report. */
export const MappingIssueCode = {
  Required: 'ENGINE_MAPPING_REQUIRED',
  InvalidType: 'ENGINE_MAPPING_INVALID_TYPE',
  InvalidValue: 'ENGINE_MAPPING_INVALID_VALUE',
  TooSmall: 'ENGINE_MAPPING_TOO_SMALL',
  Invalid: 'ENGINE_MAPPING_INVALID',
  SearchParameterUnknown: 'ENGINE_MAPPING_SEARCH_PARAMETER_UNKNOWN',
  Unsupported: 'ENGINE_MAPPING_UNSUPPORTED',
  DuplicateEntry: 'ENGINE_MAPPING_DUPLICATE_ENTRY',
  TypeMismatch: 'ENGINE_MAPPING_TYPE_MISMATCH',
  ResultInvalid: 'ENGINE_MAPPING_RESULT_INVALID',
} as const;
export type MappingIssueCode = (typeof MappingIssueCode)[keyof typeof MappingIssueCode];

/** Maps zod issues (parsed with `reportInput: true`) to engine issues with JSON paths. */
export function toMappingIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): EngineIssue[] {
  return issues.map((issue) => {
    const path = formatIssuePath([...prefix, ...issue.path]);
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined
          ? { path, code: MappingIssueCode.Required, message: `required (${issue.expected})` }
          : { path, code: MappingIssueCode.InvalidType, message: issue.message };
      case 'invalid_value':
        return { path, code: MappingIssueCode.InvalidValue, message: issue.message };
      case 'too_small':
        return { path, code: MappingIssueCode.TooSmall, message: issue.message };
      case 'custom':
      case 'too_big':
      case 'invalid_format':
      case 'not_multiple_of':
      case 'unrecognized_keys':
      case 'invalid_union':
      case 'invalid_key':
      case 'invalid_element':
        return { path, code: MappingIssueCode.Invalid, message: issue.message };
    }
  });
}
