import { Injectable } from '@nestjs/common';
import { ChangeFeedService } from '../change-feed/change-feed.service';
import { TenantCache } from '../change-feed/tenant-cache';
import { CommonErrorCode, DomainException } from '../common/errors/domain.exception';
import { echo } from '../common/errors/echo';
import { VoicesService } from '../voices/voices.service';
import { OPENAI_VOICES } from './openai-voices';
import { OpenAiVoiceMappingsRepository } from './openai-voice-mappings.repository';

/** What each OpenAI voice name means for a tenant, and whether the tenant chose it. */
export interface OpenAiVoiceChoice {
  voice_id: string;
  /** True when the tenant set it; false for the default table. */
  custom: boolean;
}

/**
 * Each tenant may point OpenAI's voice names at any voice it can use (a built-in or its own);
 * names it has not set keep the default table.
 */
@Injectable()
export class OpenAiVoicesService {
  /** Each tenant's own choices, read once per change of them (every speech request needs them). */
  private readonly custom: TenantCache<ReadonlyMap<string, string>>;

  constructor(
    private readonly mappings: OpenAiVoiceMappingsRepository,
    private readonly voices: VoicesService,
    private readonly changes: ChangeFeedService,
  ) {
    this.custom = new TenantCache(changes, {
      name: 'openai_voice_mappings',
      tables: ['openai_voice_mappings'],
      max: 10_000,
    });
  }

  /** The voice to synthesize with: an OpenAI name (any case) is mapped, anything else is ours. */
  async resolveVoiceId(tenantUuid: string, voice: string | { id: string }): Promise<string> {
    const id = typeof voice === 'string' ? voice : voice.id;
    const name = id.toLowerCase();
    const builtin = OPENAI_VOICES[name];
    if (!builtin) return id;
    return (await this.tenantMappings(tenantUuid)).get(name) ?? builtin;
  }

  async getMapping(tenantUuid: string): Promise<Record<string, OpenAiVoiceChoice>> {
    const custom = await this.tenantMappings(tenantUuid);
    return Object.fromEntries(
      Object.entries(OPENAI_VOICES).map(([name, builtin]) => [
        name,
        { voice_id: custom.get(name) ?? builtin, custom: custom.has(name) },
      ]),
    );
  }

  /**
   * Sets the names in `changes` (`null` goes back to the default); the others stay as they are.
   * Unknown names and voices the tenant cannot use are refused, and nothing is saved.
   */
  async updateMapping(
    tenantUuid: string,
    changes: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, OpenAiVoiceChoice>> {
    const fields: Record<string, string[]> = {};
    const set: Record<string, string> = {};
    const reset: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      const name = key.toLowerCase();
      if (!OPENAI_VOICES[name]) {
        fields[key] = [
          `'${echo(key)}' is not an OpenAI voice name; use one of: ${Object.keys(OPENAI_VOICES).join(', ')}`,
        ];
      } else if (value === null) {
        reset.push(name);
      } else if (typeof value !== 'string' || value.length === 0 || value.length > 64) {
        fields[key] = ['must be a voice id of 1-64 characters, or null for the default'];
      } else if (OPENAI_VOICES[value.toLowerCase()]) {
        fields[key] = ['must be one of our voice ids, not another OpenAI voice name'];
      } else {
        set[name] = value;
      }
    }
    if (Object.keys(changes).length === 0) {
      fields.body = ['Give at least one OpenAI voice name and the voice id it should mean'];
    }
    if (Object.keys(fields).length) throw validationFailed(fields);
    // Unknown voices and other tenants' voices are both voice_not_found (404).
    for (const voiceId of new Set(Object.values(set))) {
      await this.voices.getVoice(tenantUuid, voiceId);
    }
    await this.mappings.saveTenantMappings(tenantUuid, set, reset);
    this.changes.changed('openai_voice_mappings', tenantUuid);
    return this.getMapping(tenantUuid);
  }

  private tenantMappings(tenantUuid: string): Promise<ReadonlyMap<string, string>> {
    return this.custom.get(tenantUuid, 'mappings', async () => {
      const rows = await this.mappings.findTenantMappings(tenantUuid);
      return new Map(rows.map((m) => [m.openaiVoice, m.voiceId]));
    });
  }
}

function validationFailed(fields: Record<string, string[]>): DomainException {
  const message = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join('; ')}`)
    .join('; ');
  return new DomainException(CommonErrorCode.ValidationFailed, message, 422, {
    extra: { fields },
  });
}
