/**
 * A real dynamic import() of an ESM-only package from our CommonJS build. TypeScript compiles
 * `import()` to `require()` for CommonJS output; a Function body is left alone.
 *
 * Works in Node (the app, worker threads, the CLI, Jest's global setup) but not inside Jest's VM
 * sandbox, which refuses dynamic imports without --experimental-vm-modules: code that must run in
 * unit specs on the main thread loads its ESM packages another way (see libs/audio esm-loader.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

/** `specifier`: a package name or a file: URL. */
export function importEsm<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return dynamicImport(specifier) as Promise<T>;
}
