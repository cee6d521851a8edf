import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlaygroundFile, loadPlaygroundAssets, PLAYGROUND_CSP } from './playground-assets';

describe('playground assets', () => {
  it('loads only the files the page is made of, with their content types', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-playground-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.env'), 'KEY=1');
    const assets = loadPlaygroundAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['app.js', 'index.html']);
    expect(assets.get('app.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('index.html')?.body.toString()).toBe('<!doctype html>');
  });

  it('finds nothing where the build has not run', () => {
    expect(loadPlaygroundAssets(join(tmpdir(), 'cw-no-such-dir')).size).toBe(0);
  });

  it.each(['app.css', 'icon.svg'])('serves %s', (name) => {
    expect(isPlaygroundFile(name)).toBe(true);
  });

  it.each(['../main.js', 'app.js.map', '__proto__', 'constructor', 'secret.env'])(
    'serves nothing else: %s',
    (name) => {
      expect(isPlaygroundFile(name)).toBe(false);
    },
  );

  it('allows no inline code and no other origin', () => {
    expect(PLAYGROUND_CSP).not.toMatch(/unsafe-|https?:|\*/);
    expect(PLAYGROUND_CSP).toContain("script-src 'self'");
    expect(PLAYGROUND_CSP).toContain("frame-ancestors 'none'");
  });
});
