import { Inject, Injectable } from '@nestjs/common';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { describeSpoken, isBlank } from '@cw/text';
import type { Tenant } from '../tenants/tenant.entity';
import { VoicesService } from '../voices/voices.service';
import type {
  DemoAudioDto,
  LanguagesDto,
  NormalizedTextDto,
  NormalizeTextDto,
} from './dto/speech-info.dto';
import { SynthesisErrorCode, SynthesisException } from './synthesis.exception';
import { SynthesisService } from './synthesis.service';

export const DEMO_SENTENCES = [
  'Good afternoon, thank you for calling. How may I help you today?',
  'Your order of ₦12,500 will be delivered on 25/12/2026 between 9am and 1pm.',
];

/** Languages our callers ask for most that engines often lack; the note names the missing ones. */
const REGIONAL_LANGUAGES: ReadonlyArray<[code: string, name: string]> = [
  ['yo', 'Yoruba'],
  ['ha', 'Hausa'],
  ['ig', 'Igbo'],
  ['pcm', 'Nigerian Pidgin'],
];

@Injectable()
export class SpeechInfoService {
  constructor(
    @Inject(TTS_ENGINE) private readonly engine: TtsEngine,
    private readonly synthesis: SynthesisService,
    private readonly voices: VoicesService,
  ) {}

  languages(): LanguagesDto {
    const { languages } = this.engine.capabilities;
    const speaks = (code: string) => languages.some((l) => l === code || l.startsWith(`${code}-`));
    const missing = REGIONAL_LANGUAGES.filter(([code]) => !speaks(code)).map(([, name]) => name);
    const lacks = missing.length ? ` It has no ${orList(missing)} voice.` : '';
    return {
      engine: this.engine.id,
      languages,
      note: `Languages come from the ${this.engine.id} engine’s own voice list.${lacks}`,
    };
  }

  /**
   * What will be said for the text: normalized, with the pronunciation dictionaries applied
   * (aliases in place, phonemes as /ipa/), and which rule fired where.
   */
  async normalize(tenant: Tenant, dto: NormalizeTextDto): Promise<NormalizedTextDto> {
    if (isBlank(dto.text))
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    const { lexicon, dictionaries } = await this.synthesis.pronunciationsFor(
      tenant,
      dto.pronunciation_dictionary_ids,
    );
    const { plan, skipped } = this.synthesis.planText(
      dto.text,
      dto.ssml ?? false,
      dto.language ?? 'en',
      lexicon,
    );
    const { text, replacements } = describeSpoken(plan);
    return {
      spoken_text: text,
      pronunciation_dictionaries: dictionaries.map((d) => ({ id: d.id, version: d.version })),
      replacements: replacements.map((r) => ({
        original: r.original,
        type: r.say.kind,
        replacement: r.say.kind === 'alias' ? r.say.text : r.say.phoneme,
        ...(r.say.kind === 'phoneme' ? { alphabet: r.say.alphabet } : {}),
        start: r.start,
        end: r.end,
        dictionary_id: r.source.dictionaryId,
        ...(r.source.version !== undefined ? { version: r.source.version } : {}),
        ...(r.source.ruleIndex !== undefined ? { rule_index: r.source.ruleIndex } : {}),
      })),
      skipped: skipped.map((s) => ({
        original: s.original,
        dictionary_id: s.source.dictionaryId,
        ...(s.source.ruleIndex !== undefined ? { rule_index: s.source.ruleIndex } : {}),
      })),
    };
  }

  async demoAudio(tenant: Tenant, signal: AbortSignal): Promise<DemoAudioDto[]> {
    const builtins = (await this.voices.listVoices(tenant.id)).filter(
      (v) => v.source === 'builtin',
    );
    const out: DemoAudioDto[] = [];
    for (const voice of builtins) {
      for (const text of DEMO_SENTENCES) {
        const job = await this.synthesis.prepare(tenant, {
          text,
          voice_id: voice.voiceId,
          format: 'wav',
        });
        const { audio } = await this.synthesis.renderComplete(job, signal);
        out.push({
          voice_id: voice.voiceId,
          text,
          audio_base64: audio.toString('base64'),
          content_type: 'audio/wav',
        });
      }
    }
    return out;
  }
}

/** "a", "a or b", "a, b or c". */
function orList(names: string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0];
}
