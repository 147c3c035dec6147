import type { FhirResource } from '../fhirpath/fhir-resource';

/** What the index reads as a resource id (FHIR's id rule: 1-64 of these characters). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** A RESTful URL of a resource: `[base/]Type/id[/_history/version]`. */
const RESTFUL = /^(?:(.*)\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const URN_ID = /^urn:(?:uuid|oid):([A-Za-z0-9\-.]{1,64})$/i;

/** One Bundle entry's resource and its `fullUrl`, if it has one. */
export interface BundleEntryResource {
  resource: FhirResource;
  fullUrl?: string;
}

/**
 * Makes references inside a Bundle name the resources its entries hold, as FHIR's bundle rules say: a reference equal
 * to an entry's `fullUrl` (`urn:uuid:…`, `urn:oid:…` or an absolute URL) becomes that resource's `Type/id`, and a
 * relative reference in an entry whose `fullUrl` is a RESTful URL resolves against that URL's base. A resource
 * without an id takes the one its `fullUrl` names (a transaction's server would assign one and rewrite the
 * references the same way). Rewrites in place; references to nothing in the Bundle stay as they are.
 */
export function resolveBundleReferences(entries: readonly BundleEntryResource[]): void {
  const targets = new Map<string, string>();
  let needsRewrite = false;
  for (const entry of entries) {
    if (entry.fullUrl === undefined) {
      continue;
    }
    const { resource, fullUrl } = entry;
    const restful = RESTFUL.exec(fullUrl);
    const named = restful !== null && restful[2] === resource.resourceType ? restful[3] : URN_ID.exec(fullUrl)?.[1];
    if (typeof resource.id !== 'string' || !FHIR_ID.test(resource.id)) {
      if (named === undefined) {
        continue;
      }
      resource.id = named;
    }
    const target = `${resource.resourceType}/${resource.id}`;
    targets.set(fullUrl, target);
    // A RESTful fullUrl naming the resource's own type and id is found by its Type/id already.
    needsRewrite ||= restful === null || restful[2] !== resource.resourceType || restful[3] !== resource.id;
  }
  if (!needsRewrite) {
    return;
  }
  for (const entry of entries) {
    const base = entry.fullUrl === undefined ? undefined : RESTFUL.exec(entry.fullUrl)?.[1];
    rewriteReferences(entry.resource, (reference) => {
      const direct = targets.get(reference);
      if (direct !== undefined) {
        return direct;
      }
      if (base !== undefined && base !== '' && !reference.includes(':') && RESTFUL.test(reference)) {
        return targets.get(`${base}/${reference}`);
      }
      return undefined;
    });
  }
}

/**
 * Takes the contained resources out of `resource` as resources of their own: each gets an id unique to its
 * container (`<container id>.<local id>`, or a numbered one when that is no valid id) and the container's `#local`
 * references name it as `Type/id`. Returns them (empty when there are none); the container keeps its `contained`.
 */
export function liftContained(resource: FhirResource, numberAnonymous: () => number): FhirResource[] {
  const contained = resource.contained;
  if (!Array.isArray(contained) || contained.length === 0) {
    return [];
  }
  const lifted: FhirResource[] = [];
  const local = new Map<string, string>();
  for (const item of contained as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      continue;
    }
    const inner = item as FhirResource;
    if (typeof inner.resourceType !== 'string' || typeof inner.id !== 'string') {
      continue;
    }
    const candidate = typeof resource.id === 'string' ? `${resource.id}.${inner.id}` : '';
    const id = FHIR_ID.test(candidate) ? candidate : `contained.${numberAnonymous()}`;
    local.set(`#${inner.id}`, `${inner.resourceType}/${id}`);
    lifted.push({ ...inner, id });
  }
  if (local.size === 0) {
    return [];
  }
  const resolve = (reference: string): string | undefined => local.get(reference);
  rewriteReferences(resource, resolve, 'contained');
  for (const inner of lifted) {
    rewriteReferences(inner, resolve);
  }
  return lifted;
}

/**
 * Replaces every `reference` string in `root` (at any depth) for which `resolve` gives a value. Iterative, so no
 * nesting depth overflows the stack; JSON from `JSON.parse` has no cycles.
 */
function rewriteReferences(root: object, resolve: (reference: string) => string | undefined, skipKey?: string): void {
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) {
        if (typeof item === 'object' && item !== null) {
          stack.push(item);
        }
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (key === 'reference' && typeof value === 'string') {
        const resolved = resolve(value);
        if (resolved !== undefined) {
          record[key] = resolved;
        }
      } else if (typeof value === 'object' && value !== null && !(node === root && key === skipKey)) {
        stack.push(value);
      }
    }
  }
}
