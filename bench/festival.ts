import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FESTIVAL_DEFAULT_VOICE, FestivalEngine } from '@cw/engines';
import { summarize } from './stats';

/**
 * One Festival worker on its own (`npm run bench:festival`): first-audio latency and real-time
 * factor of a long-lived `festival --pipe` process, against what one fresh `festival` per piece
 * costs (the voice loaded each time). Prints; asserts nothing. Needs festival and
 * festvox-us-slt-hts.
 */
const PIECES = [
  'Thanks for holding.',
  'Hello, thank you for calling. How can I help you today?',
  'Your delivery is on its way and should arrive by four this afternoon.',
  'I can book that appointment for you; which day suits you best, Monday or Tuesday?',
];
const RUNS = 5;

async function main(): Promise<void> {
  const binary = process.argv[2] ?? 'festival';
  const engine = new FestivalEngine({ binary, poolSize: 1 });
  const bootStart = performance.now();
  await engine.init();
  const bootMs = performance.now() - bootStart;
  if (!engine.health().modelLoaded) {
    console.log(`festival unavailable: ${engine.unavailableReason}`);
    return;
  }
  console.log(
    `${engine.health().systemTts}: pool of 1 ready (voices loaded, warmed) in ${bootMs.toFixed(0)} ms`,
  );
  const voice = { id: 'bench', conditioning: {} };
  const firstAudio: number[] = [];
  const rtf: number[] = [];
  for (const text of PIECES) {
    const pieceFirst: number[] = [];
    let audioMs = 0;
    let renderMs = 0;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      let first = 0;
      let samples = 0;
      let rate = 0;
      for await (const chunk of engine.synthesize(
        { text, language: 'en', voice, speed: 1 },
        new AbortController().signal,
      )) {
        if (first === 0) first = performance.now() - started;
        samples += chunk.samples.length;
        rate = chunk.sampleRate;
        if (chunk.renderMs !== undefined) renderMs = chunk.renderMs;
      }
      pieceFirst.push(first);
      firstAudio.push(first);
      audioMs = (samples / rate) * 1000;
      rtf.push(renderMs / audioMs);
    }
    const s = summarize(pieceFirst);
    console.log(
      `${(audioMs / 1000).toFixed(2)} s of audio, ${text.length} chars: first audio p50 ${s.p50.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}), RTF ${(renderMs / audioMs).toFixed(3)} (last run)`,
    );
  }
  const all = summarize(firstAudio);
  const r = summarize(rtf);
  console.log(
    `pipe worker: first audio p50 ${all.p50.toFixed(0)} ms, p95 ${all.p95.toFixed(0)} ms over ${firstAudio.length} pieces; RTF p50 ${r.p50.toFixed(3)}`,
  );
  await engine.close();

  // The alternative: a fresh process per piece, which loads the voice every time.
  const dir = mkdtempSync(join(tmpdir(), 'cw-festival-bench-'));
  try {
    const spawnMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const script = join(dir, 'say.scm');
      writeFileSync(
        script,
        `(voice_${FESTIVAL_DEFAULT_VOICE})\n(utt.save.wave (utt.synth (eval (list 'Utterance 'Text "${PIECES[0]}"))) "${join(dir, 'out.wav')}" 'riff)\n`,
      );
      const started = performance.now();
      await promisify(execFile)(binary, ['-b', script]);
      spawnMs.push(performance.now() - started);
    }
    const s = summarize(spawnMs);
    console.log(
      `one process per piece ("${PIECES[0]}"): audio ready after p50 ${s.p50.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
