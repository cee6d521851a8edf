import { Inject, Injectable } from '@nestjs/common';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import { isBlank, spokenText } from '@cw/text';
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

  normalize(dto: NormalizeTextDto): NormalizedTextDto {
    if (isBlank(dto.text))
      throw new SynthesisException(SynthesisErrorCode.EmptyText, 'Text cannot be empty');
    const plan = this.synthesis.planText(dto.text, dto.ssml ?? false, dto.language ?? 'en');
    return { spoken_text: spokenText(plan) };
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
