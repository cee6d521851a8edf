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

  /**
   * One statement for the whole batch, each column sent as one array (`unnest`): the query text
   * and its 16 parameters are the same whatever the batch size, where building a VALUES row per
   * event cost more CPU than the rest of a cached synthesis.
   */
  async insertEvents(events: NewUsageEvent[]): Promise<void> {
    if (events.length === 0) return;
    const column = <K extends keyof NewUsageEvent>(key: K) => events.map((e) => e[key]);
    await this.repo.query(
      `INSERT INTO usage_events (tenant_id, api_key_id, request_id, endpoint, voice_id, engine,
         characters, audio_ms, bytes, ttfb_ms, total_ms, streaming, cached, status, error_code,
         created_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::varchar[],
         $6::varchar[], $7::int[], $8::int[], $9::bigint[], $10::int[], $11::int[], $12::bool[],
         $13::bool[], $14::varchar[], $15::varchar[], $16::timestamptz[])`,
      [
        column('tenantUuid'),
        column('apiKeyId'),
        column('requestId'),
        column('endpoint'),
        column('voiceId'),
        column('engine'),
        column('characters'),
        column('audioMs'),
        column('bytes'),
        column('ttfbMs'),
        column('totalMs'),
        column('streaming'),
        column('cached'),
        column('status'),
        column('errorCode'),
        column('createdAt'),
      ],
    );
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
