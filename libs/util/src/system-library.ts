import { existsSync } from 'node:fs';
import type * as Koffi from 'koffi';
import type { IKoffiLib } from 'koffi';

/** Where Debian, Ubuntu, Fedora and source builds install shared libraries. */
const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
];

/** The path of a system shared library (`libespeak-ng.so.1`), or undefined when none is installed. */
export function findSystemLibrary(fileName: string): string | undefined {
  return LIBRARY_DIRS.map((dir) => `${dir}/${fileName}`).find((path) => existsSync(path));
}

/**
 * A getter for a system shared library's koffi binding, made on its first call (once per thread:
 * every thread loads its own): null when the library is not installed or does not load, so the
 * caller's WebAssembly build stays in charge and nothing is lost.
 */
export function systemLibraryBinding<T>(
  fileName: string,
  bind: (koffi: typeof Koffi, lib: IKoffiLib, path: string) => T,
): () => T | null {
  let loaded: T | null | undefined;
  return () => {
    if (loaded !== undefined) return loaded;
    loaded = null;
    const path = findSystemLibrary(fileName);
    if (!path) return loaded;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const koffi = require('koffi') as typeof Koffi;
      loaded = bind(koffi, koffi.load(path), path);
    } catch {
      loaded = null;
    }
    return loaded;
  };
}
