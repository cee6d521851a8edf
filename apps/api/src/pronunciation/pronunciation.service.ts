import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@cw/config';
import { toEspeakPhonemes, UnsupportedPhonemeError } from '@cw/engines';
import {
  type LexiconRule,
  NIGERIAN_LEXICON_ID,
  NIGERIAN_LEXICON_RULES,
  NIGERIAN_LEXICON_VERSION,
  parsePls,
  PlsError,
  type PronunciationRule,
  serializePls,
} from '@cw/text';
import { echo } from '../common/errors/echo';
import { randomBase62 } from '../common/random-id';
import type { Tenant } from '../tenants/tenant.entity';
import { ChangeFeedService } from '../change-feed/change-feed.service';
import { TenantCache } from '../change-feed/tenant-cache';
import type { PronunciationDictionary } from './pronunciation-dictionary.entity';
import { PronunciationErrorCode, PronunciationException } from './pronunciation.exception';
import {
  type DictionaryUsage,
  PronunciationRepository,
  type PronunciationTransaction,
} from './pronunciation.repository';

/** Dictionaries one request may name (ElevenLabs allows three too). */
export const MAX_DICTIONARIES_PER_REQUEST = 3;

export interface NewDictionaryInput {
  name: string;
  description?: string;
  isDefault?: boolean;
  rules: PronunciationRule[];
}

export interface DictionaryWithRules {
  dictionary: PronunciationDictionary;
  version: number;
  rules: PronunciationRule[];
}

/** What a synthesis applies besides the tenant's dictionaries. */
export interface BuiltinLexiconOptions {
  /** The built-in Nigerian lexicon; absent: the tenant's setting. */
  nigerianLexicon?: boolean;
  /** The engine takes phonemes; otherwise only built-in entries with an alias are applied. */
  phonemes: boolean;
}

/** The rules a synthesis applies, in order, and the dictionary versions they came from. */
export interface ResolvedPronunciations {
  rules: LexiconRule[];
  dictionaries: { id: string; version: number }[];
}

function ruleBytes(rules: readonly PronunciationRule[]): number {
  return rules.reduce(
    (sum, rule) =>
      sum +
      Buffer.byteLength(rule.stringToReplace) +
      Buffer.byteLength(rule.alias ?? '') +
      (rule.type === 'phoneme' ? Buffer.byteLength(rule.phoneme) : 0),
    0,
  );
}

/**
 * Tenant-owned pronunciation dictionaries. Every change to a dictionary's rules writes a new
 * version (the old ones stay readable); name, description and the default flag are not rules and
 * change in place. Limits (dictionaries, rules, bytes) are per tenant, checked under the tenant's
 * row lock.
 */
@Injectable()
export class PronunciationService {
  private readonly limits: AppConfig['pronunciation'];
  /**
   * What a synthesis applies (the tenant's defaults, or the dictionaries it names, with their
   * rules), kept until the tenant's dictionaries change on any replica. Shared: never changed.
   */
  private readonly resolved: TenantCache<ResolvedPronunciations>;
  /** The tenant's own rules followed by the built-in lexicon, per cached `resolved` entry. */
  private readonly withBuiltin = new WeakMap<
    ResolvedPronunciations,
    { phonemes?: ResolvedPronunciations; aliases?: ResolvedPronunciations }
  >();

  constructor(
    private readonly repo: PronunciationRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly changes: ChangeFeedService,
  ) {
    this.limits = config.pronunciation;
    this.resolved = new TenantCache(changes, {
      name: 'pronunciation',
      tables: ['pronunciation_dictionaries'],
      max: 5_000,
    });
  }

  get maxFileBytes(): number {
    return this.limits.maxFileBytes;
  }

  listDictionaries(tenant: Tenant): Promise<PronunciationDictionary[]> {
    return this.repo.listDictionaries(tenant.id);
  }

  async create(tenant: Tenant, input: NewDictionaryInput): Promise<DictionaryWithRules> {
    checkPhonemes(input.rules);
    const bytes = ruleBytes(input.rules);
    return this.writing(tenant, async (tx) => {
      const usage = await tx.usage();
      if (usage.dictionaries + 1 > this.limits.maxDictionaries) {
        throw new PronunciationException(
          PronunciationErrorCode.TooManyDictionaries,
          `This tenant already has ${usage.dictionaries} pronunciation dictionaries, the most it may have; delete one first`,
          { limit: this.limits.maxDictionaries },
        );
      }
      this.checkSize(usage, input.rules.length, bytes);
      const dictionary = await tx.insertDictionary(
        {
          id: randomUUID(),
          dictionaryId: `pd_${randomBase62(20)}`,
          name: input.name,
          description: input.description ?? null,
          isDefault: input.isDefault ?? false,
        },
        input.rules,
        bytes,
      );
      return { dictionary, version: 1, rules: input.rules };
    });
  }

  /** A dictionary from a PLS file's lexemes. */
  createFromPls(
    tenant: Tenant,
    input: Omit<NewDictionaryInput, 'rules'>,
    file: Buffer,
  ): Promise<DictionaryWithRules> {
    let rules: PronunciationRule[];
    try {
      rules = parsePls(file.toString('utf8'), this.limits.maxRules).rules;
    } catch (error) {
      if (error instanceof PlsError) {
        throw new PronunciationException(PronunciationErrorCode.InvalidPls, error.message, {
          line: error.line,
          column: error.column,
        });
      }
      throw error;
    }
    return this.create(tenant, { ...input, rules });
  }

  async getDictionary(
    tenant: Tenant,
    dictionaryId: string,
    version?: number,
  ): Promise<DictionaryWithRules> {
    const dictionary = await this.find(tenant, dictionaryId);
    const wanted = version ?? dictionary.latestVersion;
    const rules =
      wanted <= dictionary.latestVersion ? await this.repo.findRules(dictionary.id, wanted) : null;
    if (!rules) {
      throw new PronunciationException(
        PronunciationErrorCode.NotFound,
        `Pronunciation dictionary '${echo(dictionaryId)}' has no version ${wanted} (latest: ${dictionary.latestVersion})`,
      );
    }
    return { dictionary, version: wanted, rules };
  }

  async update(
    tenant: Tenant,
    dictionaryId: string,
    changes: { name?: string; description?: string; isDefault?: boolean },
  ): Promise<DictionaryWithRules> {
    return this.writing(tenant, async (tx) => {
      const dictionary = await this.findIn(tx, dictionaryId);
      const saved = await tx.updateDictionary(dictionary, {
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.isDefault !== undefined ? { isDefault: changes.isDefault } : {}),
      });
      return {
        dictionary: saved,
        version: saved.latestVersion,
        rules: await tx.latestRules(saved),
      };
    });
  }

  /**
   * A new version with `rules` added; a rule for a string the dictionary already has replaces
   * that rule in its place (as ElevenLabs does), so re-sending a rule corrects it.
   */
  addRules(
    tenant: Tenant,
    dictionaryId: string,
    rules: PronunciationRule[],
  ): Promise<DictionaryWithRules> {
    checkPhonemes(rules);
    return this.changeRules(tenant, dictionaryId, (current) => {
      const next = [...current];
      for (const rule of rules) {
        const at = next.findIndex((r) => r.stringToReplace === rule.stringToReplace);
        if (at >= 0) next[at] = rule;
        else next.push(rule);
      }
      return next;
    });
  }

  /** A new version without the rules for `strings`; every string must have a rule. */
  removeRules(
    tenant: Tenant,
    dictionaryId: string,
    strings: string[],
  ): Promise<DictionaryWithRules> {
    return this.changeRules(tenant, dictionaryId, (current) => {
      const missing = strings.filter((s) => !current.some((r) => r.stringToReplace === s));
      if (missing.length) {
        throw new PronunciationException(
          PronunciationErrorCode.RuleNotFound,
          `Pronunciation dictionary '${echo(dictionaryId)}' has no rule for ${missing.map((s) => `'${echo(s)}'`).join(', ')}`,
          { rule_strings: missing },
        );
      }
      const remove = new Set(strings);
      return current.filter((rule) => !remove.has(rule.stringToReplace));
    });
  }

  async deleteDictionary(tenant: Tenant, dictionaryId: string): Promise<void> {
    const deleted = await this.repo.deleteDictionary(tenant.id, dictionaryId);
    this.changes.changed('pronunciation_dictionaries', tenant.id);
    if (!deleted) throw notFound(dictionaryId);
  }

  /** The dictionary (a version of it) as a PLS 1.0 document. */
  async pls(
    tenant: Tenant,
    dictionaryId: string,
    version?: number,
  ): Promise<{ xml: string; version: number }> {
    const found = await this.getDictionary(tenant, dictionaryId, version);
    return { xml: serializePls(found.rules), version: found.version };
  }

  /**
   * The rules a synthesis applies: the named dictionaries in the order given (their latest
   * versions), or, when none are named, the tenant's defaults (an empty list means none); then,
   * unless switched off, the built-in Nigerian lexicon, so a tenant's own rule for a word wins.
   */
  async resolveForSynthesis(
    tenant: Tenant,
    dictionaryIds: readonly string[] | undefined,
    builtin: BuiltinLexiconOptions = { phonemes: true },
  ): Promise<ResolvedPronunciations> {
    const own = await this.tenantPronunciations(tenant, dictionaryIds);
    if (!(builtin.nigerianLexicon ?? tenant.nigerianLexicon)) return own;
    // The same object for as long as the tenant's own rules are cached, so what is compiled from
    // it (the synthesis service's lexicon and plans) is kept too.
    let withLexicon = this.withBuiltin.get(own);
    if (!withLexicon) this.withBuiltin.set(own, (withLexicon = {}));
    const variant = builtin.phonemes ? 'phonemes' : 'aliases';
    return (withLexicon[variant] ??= withNigerianLexicon(own, builtin.phonemes));
  }

  private tenantPronunciations(
    tenant: Tenant,
    dictionaryIds: readonly string[] | undefined,
  ): Promise<ResolvedPronunciations> {
    // Ids cannot hold a comma (pd_ + base62), so the joined list names the request exactly.
    const key = dictionaryIds === undefined ? 'defaults' : `ids:${dictionaryIds.join(',')}`;
    return this.resolved.get(tenant.id, key, () => this.readPronunciations(tenant, dictionaryIds));
  }

  private async readPronunciations(
    tenant: Tenant,
    dictionaryIds: readonly string[] | undefined,
  ): Promise<ResolvedPronunciations> {
    let dictionaries: PronunciationDictionary[];
    if (dictionaryIds === undefined) {
      dictionaries = (await this.repo.listDefaultDictionaries(tenant.id)).slice(
        0,
        MAX_DICTIONARIES_PER_REQUEST,
      );
    } else {
      const ids = [...new Set(dictionaryIds)];
      const found = await this.repo.findDictionaries(tenant.id, ids);
      const byId = new Map(found.map((d) => [d.dictionaryId, d]));
      const missing = ids.filter((id) => !byId.has(id));
      if (missing.length) {
        throw new PronunciationException(
          PronunciationErrorCode.NotFound,
          `Pronunciation dictionar${missing.length > 1 ? 'ies' : 'y'} ${missing.map((id) => `'${echo(id)}'`).join(', ')} not found`,
          { pronunciation_dictionary_ids: missing },
        );
      }
      dictionaries = ids.map((id) => byId.get(id)!);
    }
    if (!dictionaries.length) return { rules: [], dictionaries: [] };
    const rulesOf = await this.repo.rulesAtVersions(dictionaries);
    const rules: LexiconRule[] = dictionaries.flatMap((d) =>
      (rulesOf.get(d.id) ?? []).map((rule, ruleIndex) =>
        // Frozen: the result is cached and shared, and frozen rules keep their compiled pattern.
        Object.freeze({
          ...rule,
          source: { dictionaryId: d.dictionaryId, version: d.latestVersion, ruleIndex },
        }),
      ),
    );
    return {
      rules,
      dictionaries: dictionaries.map((d) => ({ id: d.dictionaryId, version: d.latestVersion })),
    };
  }

  /** A write under the tenant's lock; this replica's cache hears of it at once. */
  private async writing<T>(
    tenant: Tenant,
    work: (tx: PronunciationTransaction) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.repo.withTenantLocked(tenant.id, work);
    } finally {
      this.changes.changed('pronunciation_dictionaries', tenant.id);
    }
  }

  private changeRules(
    tenant: Tenant,
    dictionaryId: string,
    change: (current: PronunciationRule[]) => PronunciationRule[],
  ): Promise<DictionaryWithRules> {
    return this.writing(tenant, async (tx) => {
      const dictionary = await this.findIn(tx, dictionaryId);
      const rules = change(await tx.latestRules(dictionary));
      const bytes = ruleBytes(rules);
      this.checkSize(await tx.usage(dictionary.id), rules.length, bytes);
      const saved = await tx.addVersion(dictionary, rules, bytes);
      return { dictionary: saved, version: saved.latestVersion, rules };
    });
  }

  private checkSize(others: DictionaryUsage, rules: number, bytes: number): void {
    if (others.rules + rules > this.limits.maxRules) {
      throw new PronunciationException(
        PronunciationErrorCode.TooManyRules,
        `This would give the tenant ${others.rules + rules} pronunciation rules, more than the ${this.limits.maxRules} allowed; remove rules or dictionaries first`,
        { limit: this.limits.maxRules },
      );
    }
    if (others.bytes + bytes > this.limits.maxBytes) {
      throw new PronunciationException(
        PronunciationErrorCode.TooManyBytes,
        `This would give the tenant ${others.bytes + bytes} bytes of pronunciation rules, more than the ${this.limits.maxBytes} allowed`,
        { limit_bytes: this.limits.maxBytes },
      );
    }
  }

  private async find(tenant: Tenant, dictionaryId: string): Promise<PronunciationDictionary> {
    const dictionary = await this.repo.findDictionary(tenant.id, dictionaryId);
    if (!dictionary) throw notFound(dictionaryId);
    return dictionary;
  }

  private async findIn(
    tx: PronunciationTransaction,
    dictionaryId: string,
  ): Promise<PronunciationDictionary> {
    const dictionary = await tx.findDictionary(dictionaryId);
    if (!dictionary) throw notFound(dictionaryId);
    return dictionary;
  }
}

function notFound(dictionaryId: string): PronunciationException {
  return new PronunciationException(
    PronunciationErrorCode.NotFound,
    `Pronunciation dictionary '${echo(dictionaryId)}' not found`,
  );
}

/** Phonemes must be ones the engine can say; found now rather than at synthesis. */
function checkPhonemes(rules: readonly PronunciationRule[]): void {
  rules.forEach((rule, index) => {
    if (rule.type !== 'phoneme') return;
    try {
      toEspeakPhonemes(rule.phoneme, rule.alphabet);
    } catch (error) {
      if (!(error instanceof UnsupportedPhonemeError)) throw error;
      throw new PronunciationException(
        PronunciationErrorCode.InvalidPhoneme,
        `Rule ${index} ('${echo(rule.stringToReplace)}'): ${error.message}`,
        { rule_index: index, symbols: error.symbols },
      );
    }
  });
}

/**
 * `own` followed by the built-in Nigerian lexicon. A phoneme entry with no alias would only be
 * reported as skipped by an engine without phoneme input; the built-in lexicon is not the
 * caller's, so there it just stays out.
 */
function withNigerianLexicon(
  own: ResolvedPronunciations,
  phonemes: boolean,
): ResolvedPronunciations {
  const rules = phonemes
    ? NIGERIAN_LEXICON_RULES
    : NIGERIAN_LEXICON_RULES.filter((rule) => rule.type === 'alias' || rule.alias !== undefined);
  return {
    rules: [...own.rules, ...rules],
    dictionaries: [
      ...own.dictionaries,
      { id: NIGERIAN_LEXICON_ID, version: NIGERIAN_LEXICON_VERSION },
    ],
  };
}
