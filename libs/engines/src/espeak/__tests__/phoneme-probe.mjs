// Speaks each input with eSpeak (the package the engine uses) and prints, as JSON, the phonemes
// eSpeak reports for it, in IPA. Run by espeak-phonemes.spec.ts in its own process, because the
// package is an ES module that ts-jest's CommonJS cannot import.
import createModule from '@echogarden/espeak-ng-emscripten';

const [voice, ...inputs] = JSON.parse(process.argv[2]);
const module = await createModule();
const espeak = new module.eSpeakNGWorker();
if (espeak.set_voice(voice) !== 0) throw new Error(`no voice ${voice}`);
const out = inputs.map((input) => {
  const phonemes = [];
  let samples = 0;
  espeak.synthesize(input, (audio, events) => {
    samples += audio.length;
    for (const e of events) if (e.type === 'phoneme' && e.id) phonemes.push(e.id);
    return 0;
  });
  return { phonemes, samples };
});
process.stdout.write(JSON.stringify(out));
