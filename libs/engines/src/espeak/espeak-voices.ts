import type { EspeakVoiceInfo } from './espeak.protocol';

/**
 * eSpeak's voice and variant lists, read once from a warmed worker. eSpeak silently keeps the
 * previous voice (or ignores the variant) when given an unknown name, so every name is checked here
 * before a task is sent.
 */
export class EspeakVoiceCatalog {
  private readonly byKey = new Map<string, EspeakVoiceInfo>();
  private readonly byLanguage = new Map<string, { voice: EspeakVoiceInfo; priority: number }[]>();
  private readonly variantSet: Set<string>;

  constructor(
    readonly voices: readonly EspeakVoiceInfo[],
    variants: readonly string[],
  ) {
    this.variantSet = new Set(variants);
    for (const voice of voices) {
      const fileName = voice.identifier.slice(voice.identifier.lastIndexOf('/') + 1);
      for (const key of [voice.identifier, fileName, voice.name.trim()]) {
        if (!this.byKey.has(key.toLowerCase())) this.byKey.set(key.toLowerCase(), voice);
      }
      for (const { name, priority } of voice.languages) {
        const code = name.toLowerCase();
        const list = this.byLanguage.get(code) ?? [];
        list.push({ voice, priority });
        this.byLanguage.set(code, list);
      }
    }
    for (const list of this.byLanguage.values()) list.sort((a, b) => a.priority - b.priority);
  }

  /** The voice a name means: file name (`en-029`), identifier (`gmw/en-029`) or display name. */
  findVoice(name: string): EspeakVoiceInfo | undefined {
    return this.byKey.get(name.trim().toLowerCase());
  }

  hasVariant(variant: string): boolean {
    return this.variantSet.has(variant);
  }

  get variants(): string[] {
    return [...this.variantSet].sort();
  }

  /** Every language code some voice speaks, lower-case, sorted (computed once: read per request). */
  get languages(): string[] {
    this.languageList ??= [...this.byLanguage.keys()].sort();
    return this.languageList;
  }

  private languageList?: string[];

  /** True when the voice is meant for this language or another region of it (`en` for `en-ng`). */
  speaks(voice: EspeakVoiceInfo, language: string): boolean {
    const code = language.toLowerCase();
    const primary = primarySubtag(code);
    return voice.languages.some(
      (l) => l.name.toLowerCase() === code || primarySubtag(l.name.toLowerCase()) === primary,
    );
  }

  /** eSpeak's preferred voice for a language: exact code first, then the bare language. */
  voiceForLanguage(language: string): EspeakVoiceInfo | undefined {
    const code = language.toLowerCase();
    const exact = this.byLanguage.get(code) ?? this.byLanguage.get(primarySubtag(code));
    if (exact) return exact[0].voice;
    const primary = primarySubtag(code);
    let best: { voice: EspeakVoiceInfo; priority: number } | undefined;
    for (const [name, list] of this.byLanguage) {
      if (primarySubtag(name) !== primary) continue;
      if (!best || list[0].priority < best.priority) best = list[0];
    }
    return best?.voice;
  }
}

function primarySubtag(code: string): string {
  const dash = code.indexOf('-');
  return dash === -1 ? code : code.slice(0, dash);
}
