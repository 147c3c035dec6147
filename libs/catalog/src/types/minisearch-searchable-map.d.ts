// TypeScript's "node" module resolution ignores package exports, so the radix tree's subpath gets the package's own types.
declare module 'minisearch/SearchableMap' {
  import SearchableMap from 'minisearch/dist/cjs/SearchableMap.cjs';
  export default SearchableMap;
}
