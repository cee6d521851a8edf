import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { OpenAiVoiceMapping } from './openai-voice-mapping.entity';

@Injectable()
export class OpenAiVoiceMappingsRepository {
  constructor(
    @InjectRepository(OpenAiVoiceMapping) private readonly repo: Repository<OpenAiVoiceMapping>,
    private readonly dataSource: DataSource,
  ) {}

  findTenantMappings(tenantUuid: string): Promise<OpenAiVoiceMapping[]> {
    return this.repo.findBy({ tenantId: tenantUuid });
  }

  /** Sets and resets the tenant's names in one transaction. */
  async saveTenantMappings(
    tenantUuid: string,
    set: Readonly<Record<string, string>>,
    reset: readonly string[],
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(OpenAiVoiceMapping);
      if (reset.length) await repo.delete({ tenantId: tenantUuid, openaiVoice: In([...reset]) });
      const rows = Object.entries(set).map(([openaiVoice, voiceId]) => ({
        tenantId: tenantUuid,
        openaiVoice,
        voiceId,
      }));
      if (rows.length) await repo.upsert(rows, ['tenantId', 'openaiVoice']);
    });
  }
}
