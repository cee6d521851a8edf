import { Inject, Injectable } from '@nestjs/common';
import { TTS_ENGINE, type TtsEngine } from '@cw/engines';
import type { Tenant } from '../tenants/tenant.entity';
import { monthStart, UsageService } from '../usage/usage.service';
import type { Voice } from '../voices/voice.entity';
import { VoicesService } from '../voices/voices.service';
import { resolveVoiceId } from './elevenlabs-voices';

/** ElevenLabs model ids clients send; all are served by our configured engine. */
export const ELEVENLABS_MODEL_IDS = [
  'eleven_flash_v2_5',
  'eleven_turbo_v2_5',
  'eleven_multilingual_v2',
  'eleven_flash_v2',
  'eleven_turbo_v2',
  'eleven_monolingual_v1',
] as const;

/** A voice in ElevenLabs' shape; its SDK requires every label to be a string. */
export interface ElevenLabsVoice {
  voice_id: string;
  name: string;
  category: 'premade' | 'cloned';
  labels: Record<string, string>;
  description: string;
  available_for_tiers: string[];
  high_quality_base_model_ids: string[];
  is_owner: boolean;
}

/** Our catalog (voices, models, the tenant as a user) in ElevenLabs' shapes. */
@Injectable()
export class ElevenLabsCatalogService {
  constructor(
    private readonly voices: VoicesService,
    private readonly usage: UsageService,
    @Inject(TTS_ENGINE) private readonly engine: TtsEngine,
  ) {}

  async listVoices(tenant: Tenant): Promise<{ voices: ElevenLabsVoice[] }> {
    const voices = await this.voices.listVoices(tenant.id);
    return { voices: voices.map((v) => toElevenLabsVoice(v, v.voiceId)) };
  }

  /** By our id or an ElevenLabs id or name from the table; answered under the id asked for. */
  async getVoice(tenant: Tenant, voiceId: string): Promise<ElevenLabsVoice> {
    const voice = await this.voices.getVoice(tenant.id, resolveVoiceId(voiceId));
    return toElevenLabsVoice(voice, voiceId);
  }

  models(): object[] {
    const languages = this.engine.capabilities.languages.map((id) => ({
      language_id: id,
      name: id,
    }));
    return ELEVENLABS_MODEL_IDS.map((id) => ({
      model_id: id,
      name: id,
      description: `Accepted for compatibility; served by this service's ${this.engine.id} engine`,
      can_be_finetuned: false,
      can_do_text_to_speech: true,
      can_do_voice_conversion: false,
      can_use_style: false,
      can_use_speaker_boost: false,
      serves_pro_voices: false,
      requires_alpha_access: false,
      max_characters_request_free_user: 5000,
      max_characters_request_subscribed_user: 5000,
      languages,
    }));
  }

  async subscription(tenant: Tenant): Promise<Record<string, unknown>> {
    const used = await this.usage.totalsSince(tenant.id, monthStart());
    const voices = await this.voices.countVisibleVoices(tenant.id);
    return {
      tier: 'callwaiting',
      character_count: used.characters,
      // No character limit: quotas are in audio seconds (see GET /v1/tenant/stats).
      character_limit: 0,
      can_extend_character_limit: false,
      allowed_to_extend_character_limit: false,
      next_character_count_reset_unix: Math.floor(nextMonth().getTime() / 1000),
      voice_slots_used: voices.uploaded,
      professional_voice_slots_used: 0,
      professional_voice_slots_used_in_workspace: 0,
      voice_limit: tenant.maxVoices,
      voice_add_edit_counter: 0,
      professional_voice_limit: 0,
      can_extend_voice_limit: false,
      can_use_instant_voice_cloning: true,
      can_use_professional_voice_cloning: false,
      current_overage: { amount: '0', currency: 'usd' },
      status: tenant.isActive ? 'active' : 'free_disabled',
      max_credit_limit_extension: 0,
      open_invoices: [],
      has_open_invoices: false,
    };
  }

  async user(tenant: Tenant): Promise<Record<string, unknown>> {
    return {
      user_id: tenant.tenantId,
      workspace_id: tenant.tenantId,
      first_name: tenant.name,
      subscription: await this.subscription(tenant),
      is_new_user: false,
      can_use_delayed_payment_methods: false,
      is_onboarding_completed: true,
      is_onboarding_checklist_completed: true,
      created_at: Math.floor(tenant.createdAt.getTime() / 1000),
      seat_type: 'workspace_admin',
    };
  }
}

function nextMonth(): Date {
  const start = monthStart();
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

function toElevenLabsVoice(voice: Voice, askedId: string): ElevenLabsVoice {
  const labels: Record<string, string> = { language: voice.language };
  if (voice.gender) labels.gender = voice.gender;
  if (voice.accent) labels.accent = voice.accent;
  return {
    voice_id: askedId,
    name: voice.name,
    category: voice.source === 'builtin' ? 'premade' : 'cloned',
    labels,
    description: voice.description ?? '',
    available_for_tiers: [],
    high_quality_base_model_ids: [...ELEVENLABS_MODEL_IDS],
    is_owner: voice.tenantUuid !== null,
  };
}
