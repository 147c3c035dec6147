export { type Err, err, type Ok, ok, type Result } from './result';
export { formatIssue, formatIssuePath, type IssuePathSegment, type PathedIssue } from './issue-path';
