import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wavHeader } from '@cw/audio';
import { BUILTIN_VOICE_PRESETS, EspeakEngine, type SynthesisRequest } from '@cw/engines';
import {
  NIGERIAN_LEXICON_ENTRIES,
  NIGERIAN_LEXICON_ID,
  NIGERIAN_LEXICON_SOURCES,
  NIGERIAN_LEXICON_VERSION,
  type NigerianLexiconEntry,
} from '@cw/text';

const USAGE = `Usage: npm run lexicon:samples -- [--out DIR] [--voice PRESET] [--group GROUP]

Writes a listening set for the built-in Nigerian lexicon to DIR (default ./lexicon-samples):
one WAV per entry as the lexicon says it, one as eSpeak says it unaided, and index.html /
index.tsv listing grapheme, group, IPA or alias and both files. Nothing is sent anywhere.`;

/** A file name for an entry: its position, then its grapheme in ASCII. */
function fileStem(entry: NigerianLexiconEntry, index: number): string {
  const slug = entry.grapheme
    .normalize('NFD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  return `${String(index).padStart(3, '0')}-${slug}`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
}

async function render(engine: EspeakEngine, request: SynthesisRequest): Promise<Buffer> {
  const parts: Buffer[] = [];
  let sampleRate = 0;
  for await (const chunk of engine.synthesize(request, new AbortController().signal)) {
    sampleRate = chunk.sampleRate;
    parts.push(
      Buffer.from(chunk.samples.buffer, chunk.samples.byteOffset, chunk.samples.byteLength),
    );
  }
  const pcm = Buffer.concat(parts);
  return Buffer.concat([
    wavHeader({ sampleRate, channels: 1, bitsPerSample: 16, dataBytes: pcm.length }),
    pcm,
  ]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'lexicon-samples' },
      voice: { type: 'string', default: 'default' },
      group: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const preset = BUILTIN_VOICE_PRESETS[values.voice];
  if (!preset) {
    throw new Error(
      `Unknown voice preset '${values.voice}'; one of ${Object.keys(BUILTIN_VOICE_PRESETS).join(', ')}`,
    );
  }
  const entries = NIGERIAN_LEXICON_ENTRIES.map((entry, index) => ({ entry, index })).filter(
    ({ entry }) => values.group === undefined || entry.group === values.group,
  );
  if (!entries.length) {
    throw new Error(
      `No entries in group '${values.group}'; groups: ${Object.keys(NIGERIAN_LEXICON_SOURCES).join(', ')}`,
    );
  }
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });

  const engine = new EspeakEngine({ poolSize: 2, maxQueue: 8 });
  await engine.init();
  const rows: { entry: NigerianLexiconEntry; index: number; said: string; plain: string }[] = [];
  try {
    for (const { entry, index } of entries) {
      const base: SynthesisRequest = {
        text: entry.grapheme,
        language: 'en',
        voice: { id: values.voice, conditioning: { ...preset } },
        speed: 1,
      };
      const say =
        entry.ipa !== undefined
          ? { kind: 'phoneme' as const, phoneme: entry.ipa, alphabet: 'ipa' as const }
          : { kind: 'alias' as const, text: entry.alias };
      const stem = fileStem(entry, index);
      const [said, plain] = await Promise.all([
        render(engine, {
          ...base,
          pronunciations: [{ start: 0, end: entry.grapheme.length, say }],
        }),
        render(engine, base),
      ]);
      writeFileSync(join(out, `${stem}.wav`), said);
      writeFileSync(join(out, `${stem}.plain.wav`), plain);
      rows.push({ entry, index, said: `${stem}.wav`, plain: `${stem}.plain.wav` });
    }
  } finally {
    await engine.close();
  }

  const heading = `${NIGERIAN_LEXICON_ID}@${NIGERIAN_LEXICON_VERSION}`;
  writeFileSync(
    join(out, 'index.tsv'),
    ['index\tgroup\tgrapheme\tipa\talias\tlexicon_wav\tplain_wav']
      .concat(
        rows.map(({ entry, index, said, plain }) =>
          [
            index,
            entry.group,
            entry.grapheme,
            entry.ipa ?? '',
            entry.alias ?? '',
            said,
            plain,
          ].join('\t'),
        ),
      )
      .join('\n') + '\n',
  );
  const groups = [...new Set(rows.map((r) => r.entry.group))];
  writeFileSync(
    join(out, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>${heading} listening set</title>
<style>body{font-family:sans-serif}td{padding:2px 8px}audio{height:28px}</style>
<h1>${heading}: listening set (voice ${escapeHtml(values.voice)})</h1>
<p>Each entry as the lexicon says it, and as eSpeak says the spelling unaided. Note any that sound
wrong, with the entry's index, and correct the IPA in
libs/text/src/pronunciation/builtin/nigerian-lexicon.json.</p>
${groups
  .map(
    (
      group,
    ) => `<h2>${escapeHtml(group)}</h2><p>${escapeHtml(NIGERIAN_LEXICON_SOURCES[group] ?? '')}</p>
<table><tr><th>#</th><th>Grapheme</th><th>IPA / alias</th><th>Lexicon</th><th>Unaided</th></tr>
${rows
  .filter((r) => r.entry.group === group)
  .map(
    ({ entry, index, said, plain }) =>
      `<tr><td>${index}</td><td>${escapeHtml(entry.grapheme)}</td><td>${escapeHtml(entry.ipa !== undefined ? `/${entry.ipa}/` : `“${entry.alias}”`)}</td>` +
      `<td><audio controls preload="none" src="${said}"></audio></td><td><audio controls preload="none" src="${plain}"></audio></td></tr>`,
  )
  .join('\n')}
</table>`,
  )
  .join('\n')}
`,
  );
  console.log(
    `Wrote ${rows.length} entries (${rows.length * 2} WAV files) and index.html to ${out}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
