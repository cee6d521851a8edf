import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { NewUsageEvent, UsageEvent } from './usage-event.entity';

export interface UsageTotals {
  requests: number;
  characters: number;
  audioMs: number;
}

export type UsageGroup = 'day' | 'voice' | 'key';

const GROUP_COLUMN: Record<UsageGroup, string> = {
  day: "to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')",
  voice: "coalesce(voice_id, '')",
  key: "coalesce(api_key_id::text, '')",
};

@Injectable()
export class UsageRepository {
  constructor(@InjectRepository(UsageEvent) private readonly repo: Repository<UsageEvent>) {}

  async insertEvents(events: NewUsageEvent[]): Promise<void> {
    await this.repo.createQueryBuilder().insert().into(UsageEvent).values(events).execute();
  }

  async totalsSince(tenantUuid: string, since: Date): Promise<UsageTotals> {
    const rows: { requests: string; characters: string | null; audio_ms: string | null }[] =
      await this.repo.query(
        `SELECT count(*) AS requests, sum(characters) AS characters, sum(audio_ms) AS audio_ms
         FROM usage_events WHERE tenant_id = $1 AND created_at >= $2`,
        [tenantUuid, since],
      );
    return {
      requests: Number(rows[0].requests),
      characters: Number(rows[0].characters ?? 0),
      audioMs: Number(rows[0].audio_ms ?? 0),
    };
  }

  async series(tenantUuid: string, from: Date, to: Date, groupBy: UsageGroup) {
    const rows: { key: string; requests: string; characters: string; audio_ms: string }[] =
      await this.repo.query(
        `SELECT ${GROUP_COLUMN[groupBy]} AS key, count(*) AS requests,
              coalesce(sum(characters), 0) AS characters, coalesce(sum(audio_ms), 0) AS audio_ms
         FROM usage_events WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
        GROUP BY 1 ORDER BY 1`,
        [tenantUuid, from, to],
      );
    return rows.map((r) => ({
      key: r.key,
      requests: Number(r.requests),
      characters: Number(r.characters),
      audioMs: Number(r.audio_ms),
    }));
  }
}
