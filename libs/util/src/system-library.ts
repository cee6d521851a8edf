import { existsSync } from 'node:fs';

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
