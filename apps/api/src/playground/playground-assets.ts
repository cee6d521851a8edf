import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where `npm run build` puts the bundled page (apps/playground/build.mjs): dist/apps/playground.
 * From the compiled service (dist/apps/api/src/playground) that is four levels up, then
 * apps/playground; from the TypeScript source (tests run it through ts-jest) it is the repository
 * root, then dist/apps/playground.
 */
export const PLAYGROUND_DIR = resolve(
  __dirname,
  '../../../..',
  __filename.endsWith('.ts') ? 'dist/apps/playground' : 'apps/playground',
);

/** Every file the page is made of, with its type. Nothing else is served from that folder. */
export const PLAYGROUND_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'icon.svg': 'image/svg+xml',
} as const;

export type PlaygroundFile = keyof typeof PLAYGROUND_FILES;

export interface PlaygroundAsset {
  body: Buffer;
  contentType: string;
}

export function isPlaygroundFile(name: string): name is PlaygroundFile {
  return Object.prototype.hasOwnProperty.call(PLAYGROUND_FILES, name);
}

/** Reads the built page once; a missing file means the build did not run (reported per route). */
export function loadPlaygroundAssets(dir = PLAYGROUND_DIR): Map<PlaygroundFile, PlaygroundAsset> {
  const assets = new Map<PlaygroundFile, PlaygroundAsset>();
  for (const [name, contentType] of Object.entries(PLAYGROUND_FILES)) {
    try {
      assets.set(name as PlaygroundFile, { body: readFileSync(join(dir, name)), contentType });
    } catch {
      // Left out: the route answers 404 playground_not_built.
    }
  }
  return assets;
}

/**
 * The page runs only our own script and stylesheet and talks only to this service (HTTP and its
 * WebSocket); audio it plays or saves is made in the page as blob: URLs.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
