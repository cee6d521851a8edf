import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { PronunciationRule } from '@cw/text';
import { PronunciationDictionary } from './pronunciation-dictionary.entity';
import { PronunciationDictionaryVersion } from './pronunciation-dictionary-version.entity';

/** What a tenant's dictionaries use of its limits. */
export interface DictionaryUsage {
  dictionaries: number;
  rules: number;
  bytes: number;
}

export type NewDictionary = Pick<
  PronunciationDictionary,
  'id' | 'dictionaryId' | 'name' | 'description' | 'isDefault'
>;

@Injectable()
export class PronunciationRepository {
  constructor(
    @InjectRepository(PronunciationDictionary)
    private readonly dictionaries: Repository<PronunciationDictionary>,
    @InjectRepository(PronunciationDictionaryVersion)
    private readonly versions: Repository<PronunciationDictionaryVersion>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  listDictionaries(tenantUuid: string): Promise<PronunciationDictionary[]> {
    return this.dictionaries.find({ where: { tenantUuid }, order: { createdAt: 'ASC' } });
  }

  /** One of the tenant's dictionaries; another tenant's is never returned. */
  findDictionary(
    tenantUuid: string,
    dictionaryId: string,
  ): Promise<PronunciationDictionary | null> {
    return this.dictionaries.findOneBy({ tenantUuid, dictionaryId });
  }

  /** The tenant's dictionaries among `dictionaryIds` (in no particular order). */
  findDictionaries(
    tenantUuid: string,
    dictionaryIds: string[],
  ): Promise<PronunciationDictionary[]> {
    if (!dictionaryIds.length) return Promise.resolve([]);
    return this.dictionaries.findBy({ tenantUuid, dictionaryId: In(dictionaryIds) });
  }

  listDefaultDictionaries(tenantUuid: string): Promise<PronunciationDictionary[]> {
    return this.dictionaries.find({
      where: { tenantUuid, isDefault: true },
      order: { createdAt: 'ASC' },
    });
  }

  async findRules(dictionaryUuid: string, version: number): Promise<PronunciationRule[] | null> {
    const row = await this.versions.findOneBy({ dictionaryUuid, version });
    return row?.rules ?? null;
  }

  /**
   * The rules of each dictionary at the version its row (as read) names, by dictionary uuid: the
   * version reported with a synthesis is the one whose rules it applied, even if a change lands
   * in between.
   */
  async rulesAtVersions(
    dictionaries: PronunciationDictionary[],
  ): Promise<Map<string, PronunciationRule[]>> {
    if (!dictionaries.length) return new Map();
    const rows = await this.versions.find({
      where: dictionaries.map((d) => ({ dictionaryUuid: d.id, version: d.latestVersion })),
    });
    return new Map(rows.map((row) => [row.dictionaryUuid, row.rules]));
  }

  /**
   * Runs `work` in a transaction holding the tenant's row lock, so concurrent changes for one
   * tenant are serialized and the usage they check against the limits cannot change under them.
   */
  withTenantLocked<T>(
    tenantUuid: string,
    work: (tx: PronunciationTransaction) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE', [tenantUuid]);
      return work(new PronunciationTransaction(manager, tenantUuid));
    });
  }

  /** Deletes one of the tenant's dictionaries and all its versions. */
  async deleteDictionary(tenantUuid: string, dictionaryId: string): Promise<boolean> {
    const result = await this.dictionaries.delete({ tenantUuid, dictionaryId });
    return (result.affected ?? 0) > 0;
  }
}

export class PronunciationTransaction {
  constructor(
    private readonly manager: EntityManager,
    private readonly tenantUuid: string,
  ) {}

  private get dictionaries(): Repository<PronunciationDictionary> {
    return this.manager.getRepository(PronunciationDictionary);
  }

  /** What the tenant's dictionaries use, leaving out `exceptUuid` (the one being changed). */
  async usage(exceptUuid?: string): Promise<DictionaryUsage> {
    const rows: { dictionaries: number; rules: number; bytes: number }[] = await this.manager.query(
      `SELECT count(*)::int AS dictionaries, coalesce(sum(rules_count), 0)::int AS rules,
              coalesce(sum(rules_bytes), 0)::bigint::float8 AS bytes
         FROM pronunciation_dictionaries
        WHERE tenant_id = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [this.tenantUuid, exceptUuid ?? null],
    );
    return rows[0];
  }

  findDictionary(dictionaryId: string): Promise<PronunciationDictionary | null> {
    return this.dictionaries.findOneBy({ tenantUuid: this.tenantUuid, dictionaryId });
  }

  async latestRules(dictionary: PronunciationDictionary): Promise<PronunciationRule[]> {
    const row = await this.manager
      .getRepository(PronunciationDictionaryVersion)
      .findOneBy({ dictionaryUuid: dictionary.id, version: dictionary.latestVersion });
    return row?.rules ?? [];
  }

  async insertDictionary(
    dictionary: NewDictionary,
    rules: PronunciationRule[],
    bytes: number,
  ): Promise<PronunciationDictionary> {
    const saved = await this.dictionaries.save(
      this.dictionaries.create({
        ...dictionary,
        tenantUuid: this.tenantUuid,
        latestVersion: 1,
        rulesCount: rules.length,
        rulesBytes: bytes,
      }),
    );
    await this.insertVersion(saved.id, 1, rules);
    return saved;
  }

  /** A new version of the dictionary's rules; the dictionary row moves to it. */
  async addVersion(
    dictionary: PronunciationDictionary,
    rules: PronunciationRule[],
    bytes: number,
  ): Promise<PronunciationDictionary> {
    const version = dictionary.latestVersion + 1;
    await this.insertVersion(dictionary.id, version, rules);
    return this.dictionaries.save({
      ...dictionary,
      latestVersion: version,
      rulesCount: rules.length,
      rulesBytes: bytes,
    });
  }

  updateDictionary(
    dictionary: PronunciationDictionary,
    changes: Partial<Pick<PronunciationDictionary, 'name' | 'description' | 'isDefault'>>,
  ): Promise<PronunciationDictionary> {
    return this.dictionaries.save({ ...dictionary, ...changes });
  }

  private async insertVersion(
    dictionaryUuid: string,
    version: number,
    rules: PronunciationRule[],
  ): Promise<void> {
    await this.manager
      .getRepository(PronunciationDictionaryVersion)
      .insert({ dictionaryUuid, version, rules });
  }
}
