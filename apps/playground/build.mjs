// Bundles the playground into dist/apps/playground, where the service reads it
// (apps/api/src/playground/playground-assets.ts). Run by `npm run build`, after type-checking.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '../../dist/apps/playground');

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.ts')],
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  legalComments: 'eof',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css', 'icon.svg']) {
  await copyFile(join(here, file), join(out, file));
}
