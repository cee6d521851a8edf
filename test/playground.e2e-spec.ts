/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { chromium, type Browser, type Page, type WebSocket } from 'playwright-core';
import request from 'supertest';
import { NIGERIAN_LEXICON_VERSION } from '@cw/text';
import { voiceLike, wavFile } from './helpers/audio-fixtures';
import { bearer, createTenant, createTestApp, type TestTenant } from './helpers/test-app';

/** Debian's Chromium (installed by .ci/run); playwright-core drives it, no browser download. */
const CHROMIUM = '/usr/bin/chromium';
const PORT = 19901;
/** Screenshots of every screen, for people reviewing the page (git-ignored). */
const SHOTS = join(__dirname, 'output', 'playground');
const BINARY = '<binary frame>';

describe('Playground (GET /playground) in a real browser', () => {
  let app: NestExpressApplication;
  let base: string;
  let browser: Browser;
  /** Every URL the pages of the current test asked for: documents, assets, fetches, WebSockets. */
  let requested: string[] = [];
  let pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    mkdirSync(SHOTS, { recursive: true });
    app = await createTestApp({ USAGE_FLUSH_MS: '100' });
    await app.listen(PORT, '127.0.0.1');
    base = `http://127.0.0.1:${PORT}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  beforeEach(() => {
    requested = [];
    pageErrors = [];
  });

  afterEach(() => {
    // The page never reaches outside the service, and the CSP never had to block anything.
    const origin = new URL(base);
    const outside = requested.filter((url) => {
      const u = new URL(url);
      if (u.protocol === 'blob:') return new URL(u.pathname).host !== origin.host;
      return u.host !== origin.host || !['http:', 'ws:'].includes(u.protocol);
    });
    expect(outside).toEqual([]);
    // The key travels in headers and WebSocket subprotocols only, never in a URL.
    expect(requested.filter((url) => /api_key=|cw_(live|demo)_/.test(url))).toEqual([]);
    expect(pageErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });

  async function openPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    await context.grantPermissions(['microphone'], { origin: base });
    const page = await context.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('websocket', (ws) => requested.push(ws.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/playground`);
    return page;
  }

  async function useKey(page: Page, tenant: TestTenant): Promise<void> {
    await page.fill('#api-key', tenant.key);
    await page.click('#key-use');
    await page.waitForSelector(`#key-status[data-tenant="${tenant.tenantId}"]`);
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  it('serves the page and its assets with their types and a strict CSP, without a key', async () => {
    const page = await request(app.getHttpServer()).get('/playground').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(page.text).toContain('<script type="module" src="/playground/app.js">');
    expect(page.text).not.toMatch(/<script>|<style|\sstyle="|\son\w+="/);

    const js = await request(app.getHttpServer()).get('/playground/app.js').expect(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await request(app.getHttpServer()).get('/playground/app.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');

    const missing = await request(app.getHttpServer()).get('/playground/secrets.js').expect(404);
    expect(missing.body).toMatchObject({ code: 'not_found', statusCode: 404 });
    const root = await request(app.getHttpServer()).get('/').expect(200);
    expect(root.body.playground).toBe('/playground');
  });

  it('speaks a sentence: the audio is playing before the response has finished', async () => {
    const tenant = await createTenant(app);
    const dictionary = await request(app.getHttpServer())
      .post('/v1/pronunciation-dictionaries')
      .set(bearer(tenant.key))
      .send({
        name: 'Banks',
        is_default: true,
        rules: [{ type: 'alias', string_to_replace: 'GTB', alias: 'Guaranty Trust Bank' }],
      })
      .expect(201);
    const page = await openPage();
    await useKey(page, tenant);
    await page.fill(
      '#speak-text',
      'Hello, thank you for calling GTB. Your balance is ₦5,000. ' +
        'Please hold while I check that for you.',
    );
    // What will be spoken: normalization and the tenant's default dictionary, applied.
    await page.waitForFunction(() =>
      document.getElementById('spoken-text')?.textContent?.includes('Guaranty Trust Bank'),
    );
    expect(await page.textContent('#spoken-text')).toContain(
      'calling Guaranty Trust Bank. Your balance is five thousand naira.',
    );
    expect(await page.textContent('#spoken-dictionaries')).toBe(
      `Pronunciation dictionaries applied: ${dictionary.body.id} (version 1), builtin:nigerian (version ${NIGERIAN_LEXICON_VERSION}).`,
    );
    expect(await page.textContent('#spoken-replacements')).toBe('GTB → Guaranty Trust Bank');
    expect(await page.isVisible('#speak-download')).toBe(false);
    await page.click('#speak-play');
    await page.waitForSelector('#speak-metrics[data-state="done"]');
    expect(await page.isVisible('#speak-download')).toBe(true);

    const metrics = await page.$eval('#speak-metrics', (el) => ({
      ...(el as HTMLElement).dataset,
    }));
    // Played before the last byte came: the page streams rather than waiting for the whole file.
    expect(Number(metrics.playedAtEnd)).toBeGreaterThan(0);
    expect(Number(metrics.audioSeconds)).toBeGreaterThan(Number(metrics.playedAtEnd));
    expect(await page.textContent('#metric-first-byte')).toMatch(/^\d+ ms$/);
    expect(await page.getAttribute('#speak-download', 'download')).toBe('speech.wav');
    await shot(page, '1-speak');

    // Phone line: mu-law at 8 kHz, decoded and played in the page as a caller would hear it.
    await page.fill('#speak-text', 'One moment please.');
    await page.check('#speak-phone');
    const asked = page.waitForRequest((r) => r.url().endsWith('/v1/synthesize/streaming'));
    await page.click('#speak-play');
    expect((await asked).postDataJSON()).toMatchObject({ format: 'mulaw', sample_rate: 8000 });
    await page.waitForSelector('#speak-metrics[data-state="done"]');
    expect(Number(await page.getAttribute('#speak-metrics', 'data-audio-seconds'))).toBeGreaterThan(
      0.5,
    );
    expect(await page.getAttribute('#speak-download', 'download')).toBe('speech.ulaw');

    // MP3 streams through MediaSource into an audio element.
    await page.uncheck('#speak-phone');
    await page.selectOption('#speak-format', 'mp3');
    await page.click('#speak-play');
    await page.waitForSelector('#speak-metrics[data-state="done"]');
    expect(Number(await page.getAttribute('#speak-metrics', 'data-audio-seconds'))).toBeGreaterThan(
      0.5,
    );
    expect(await page.getAttribute('#speak-download', 'download')).toBe('speech.mp3');
    await page.context().close();
  });

  it('shows an SSML error with its line and column, and a way to jump to it', async () => {
    const tenant = await createTenant(app);
    const page = await openPage();
    await useKey(page, tenant);
    await page.check('#speak-ssml');
    await page.fill('#speak-text', '<speak>\nHello <break time="1s"></speak>');
    await page.waitForSelector('#ssml-error', { state: 'visible' });
    expect(await page.textContent('#ssml-error-text')).toMatch(
      /^SSML error at line 2, column \d+: unexpected close tag/,
    );
    expect(await page.getAttribute('#speak-text', 'aria-invalid')).toBe('true');
    await page.click('#ssml-error-show');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('speak-text');
    await shot(page, '2-ssml-error');
    await page.context().close();
  });

  it('uploads a WAV file, lists, samples, renames and deletes the new voice', async () => {
    const tenant = await createTenant(app);
    const page = await openPage();
    await useKey(page, tenant);
    await page.click('#tab-voices');
    await page.waitForSelector('#voices-table tr[data-voice-id="naija_female"]');
    await page.setInputFiles('#upload-file', {
      name: 'ada.wav',
      mimeType: 'audio/wav',
      buffer: wavFile(voiceLike(190, 4, 16000), 16000),
    });
    // Markup in a name is shown as text, never run.
    await page.fill('#upload-name', 'Ada <b>front</b> desk');
    await page.selectOption('#upload-gender', 'female');
    await page.click('#upload-submit');
    const row = page.locator('#voices-table tr', { hasText: 'Ada <b>front</b> desk' });
    await row.waitFor();
    expect(await row.locator('b').count()).toBe(0);
    expect(await row.textContent()).toContain('yours, cloning approximate');
    // The new voice is offered on the Speak screen too.
    expect(
      await page.locator('#speak-voice option', { hasText: 'Ada <b>front</b> desk' }).count(),
    ).toBe(1);

    const voices = await request(app.getHttpServer()).get('/v1/voices').set(bearer(tenant.key));
    expect(voices.body).toContainEqual(
      expect.objectContaining({
        name: 'Ada <b>front</b> desk',
        source: 'uploaded',
        gender: 'female',
      }),
    );

    await row.getByRole('button', { name: /^Play a sample/ }).click();
    await page.waitForSelector('#sample-audio:not([hidden])');
    expect(await page.getAttribute('#sample-audio', 'src')).toMatch(/^blob:/);
    await shot(page, '3-voices');

    await row.getByRole('button', { name: /^Rename/ }).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('Ada, reception');
    await page.keyboard.press('Enter');
    const renamed = page.locator('#voices-table tr', { hasText: 'Ada, reception' });
    await renamed.waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await renamed.getByRole('button', { name: /^Delete/ }).click();
    await renamed.waitFor({ state: 'detached' });
    const after = await request(app.getHttpServer()).get('/v1/voices').set(bearer(tenant.key));
    expect(
      (after.body as Array<{ source: string }>).filter((v) => v.source === 'uploaded'),
    ).toEqual([]);
    await page.context().close();
  });

  it('records from the microphone: refuses under 3 s, uploads a longer recording', async () => {
    const tenant = await createTenant(app);
    const page = await openPage();
    await useKey(page, tenant);
    await page.click('#tab-voices');
    await page.fill('#record-name', 'Mic voice');

    await page.click('#record-start');
    await page.waitForSelector('#record-stop:not([disabled])');
    await page.click('#record-stop');
    await page.waitForFunction(() =>
      document.getElementById('record-status')?.textContent?.includes('at least 3 seconds'),
    );

    await page.click('#record-start');
    await page.waitForFunction(
      () => Number(document.getElementById('record-duration')?.dataset.seconds) >= 3.6,
    );
    // The level meter moved: the (fake) microphone is really being read.
    expect(Number(await page.getAttribute('#record-level', 'data-peak'))).toBeGreaterThan(0);
    await shot(page, '4-recording');
    await page.click('#record-stop');
    await page.waitForFunction(() =>
      document.getElementById('record-status')?.textContent?.startsWith('Uploaded'),
    );
    await page.locator('#voices-table tr', { hasText: 'Mic voice' }).waitFor();

    const voices = await request(app.getHttpServer()).get('/v1/voices').set(bearer(tenant.key));
    const uploaded = (
      voices.body as Array<{ name: string; source: string; duration_s: number }>
    ).filter((v) => v.source === 'uploaded');
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0].name).toBe('Mic voice');
    expect(uploaded[0].duration_s).toBeGreaterThanOrEqual(3);
    await shot(page, '5-recorded');
    await page.context().close();
  });

  it('realtime: speaks word by word while typing; Stop sends clear and the audio stops', async () => {
    const tenant = await createTenant(app);
    const page = await openPage();
    const sent: string[] = [];
    /** Text frames as they came; each binary (audio) frame as BINARY. */
    const received: string[] = [];
    page.on('websocket', (ws: WebSocket) => {
      ws.on('framesent', (f) => sent.push(String(f.payload)));
      ws.on('framereceived', (f) =>
        received.push(typeof f.payload === 'string' ? f.payload : BINARY),
      );
    });
    await useKey(page, tenant);
    await page.click('#tab-realtime');
    await page
      .locator('#rt-text')
      .pressSequentially(
        'Thank you for holding. I have found your booking for next Tuesday. ' +
          'The doctor will see you at ten in the morning, please arrive early. ',
      );
    await page.waitForSelector('#rt-status[data-playing="true"]');
    const texts = sent.filter((s) => s.includes('"type":"text"'));
    expect(texts.length).toBeGreaterThan(10);
    expect(JSON.parse(texts[0])).toEqual({ type: 'text', text: 'Thank ' });

    await page.click('#rt-stop');
    await page.waitForSelector('#rt-status[data-cleared="true"]');
    expect(sent).toContain('{"type":"clear"}');
    expect(await page.getAttribute('#rt-status', 'data-playing')).toBe('false');
    // Nothing that arrived after Stop was played (the page notes its count at the press; audio
    // may still arrive between reading it here and the click), and no audio came after `cleared`.
    const framesAtStop = Number(await page.getAttribute('#rt-status', 'data-frames-at-stop'));
    expect(framesAtStop).toBeGreaterThan(0);
    expect(Number(await page.getAttribute('#rt-status', 'data-frames'))).toBe(framesAtStop);
    const clearedAt = received.findIndex((m) => m.includes('"type":"cleared"'));
    expect(clearedAt).toBeGreaterThan(0);
    expect(received.slice(clearedAt + 1)).not.toContain(BINARY);
    expect(await page.textContent('#rt-status')).toContain('Stopped');
    await shot(page, '6-realtime');
    await page.context().close();
  });

  it("usage: this month's audio against the quota and a chart per day", async () => {
    const tenant = await createTenant(app, { monthly_quota_seconds: 3600 });
    await request(app.getHttpServer())
      .post('/v1/synthesize')
      .set(bearer(tenant.key))
      .send({ text: 'Thank you for calling, goodbye.' })
      .expect(200);
    // Usage rows are written in batches: wait until this one is in.
    for (let used = 0; used === 0;) {
      const stats = await request(app.getHttpServer())
        .get('/v1/tenant/stats')
        .set(bearer(tenant.key));
      used = (stats.body as { quota: { used_seconds: number } }).quota.used_seconds;
    }
    const page = await openPage();
    await useKey(page, tenant);
    await page.click('#tab-usage');
    await page.waitForSelector('#usage-figure:not([hidden])');
    expect(await page.textContent('#usage-summary')).toMatch(
      /^\d+\.\d s of 3600 s of audio used this month \(\d+\.\d%\)\.$/,
    );
    const heights = await page.$$eval('#usage-chart rect.bar', (bars) =>
      bars.map((b) => Number(b.getAttribute('height'))),
    );
    expect(heights.length).toBe(new Date().getUTCDate());
    expect(heights[heights.length - 1]).toBeGreaterThan(0);
    await shot(page, '7-usage');
    await page.context().close();
  });

  it('a wrong key gets a clear message and is not kept', async () => {
    const page = await openPage();
    await page.fill('#api-key', `cw_live_${'x'.repeat(32)}`);
    await page.click('#key-use');
    const message = page.locator('#message');
    await message.waitFor();
    expect(await message.textContent()).toMatch(
      /^Your API key was not accepted \(invalid_api_key\): .+ Check the key at the top of the page/,
    );
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.textContent('#key-status')).toBe('No key in use.');
    await shot(page, '8-wrong-key');
    await page.context().close();
  });

  it('fits a phone screen and works from the keyboard', async () => {
    const tenant = await createTenant(app);
    const page = await openPage({ width: 390, height: 844 });
    await useKey(page, tenant);
    // The key sits in session storage only, never in the page's URL.
    expect(page.url()).toBe(`${base}/playground`);
    expect(await page.evaluate(() => Object.keys(localStorage).length)).toBe(0);

    await page.focus('#tab-speak');
    for (const [key, tab] of [
      ['ArrowRight', 'voices'],
      ['ArrowRight', 'realtime'],
      ['End', 'usage'],
      ['Home', 'speak'],
    ]) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`tab-${tab}`);
      expect(await page.isVisible(`#panel-${tab}`)).toBe(true);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
    }
    // Tab from the tab list reaches the panel, then the text box.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('panel-speak');
    await shot(page, '9-phone');
    await page.context().close();
  });
});
