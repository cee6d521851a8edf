import type { SynthesizeDto } from '../synthesis/dto/synthesize.dto';
import type { ElevenLabsTextToSpeechDto } from './dto/text-to-speech.dto';
import { parseOutputFormat } from './elevenlabs-output-format';
import { resolveVoiceId } from './elevenlabs-voices';

/**
 * An ElevenLabs text-to-speech request as one of ours: plain text, the asked format and rate,
 * the pronunciation dictionaries it names (ours, by id, in order) and `?nigerian_lexicon=`.
 */
export function toSynthesizeDto(
  voiceId: string,
  body: ElevenLabsTextToSpeechDto,
  outputFormat: string | undefined,
  nigerianLexicon?: boolean,
): SynthesizeDto {
  const output = parseOutputFormat(outputFormat);
  return {
    text: body.text,
    voice_id: resolveVoiceId(voiceId),
    language: body.language_code ?? 'en',
    format: output.format,
    sample_rate: output.sampleRate,
    speed: body.voice_settings?.speed ?? 1,
    ssml: false,
    ...(nigerianLexicon === undefined ? {} : { nigerian_lexicon: nigerianLexicon }),
    ...(body.pronunciation_dictionary_locators
      ? {
          pronunciation_dictionary_ids: body.pronunciation_dictionary_locators.map(
            (l) => l.pronunciation_dictionary_id,
          ),
        }
      : {}),
  };
}
