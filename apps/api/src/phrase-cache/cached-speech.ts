import type { WordTiming } from '@cw/engines';

/** Audio already made for one request, as it was delivered, with what labels it. */
export interface CachedSpeech {
  /** The bytes exactly as sent: a stream's (WAV with its streaming header), or the whole file. */
  audio: Buffer;
  /** The engine that spoke it. */
  engineId: string;
  /** Whole-file entries: what the timestamps route answers with. */
  words: WordTiming[];
  durationMs: number;
  samplesOut: number;
}

/**
 * One Buffer for Redis: a 4-byte length, the JSON of everything but the audio, then the audio.
 */
export function packSpeech(entry: CachedSpeech): Buffer {
  const { audio, ...meta } = entry;
  const json = Buffer.from(JSON.stringify(meta));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(json.length);
  return Buffer.concat([head, json, audio]);
}

export function unpackSpeech(packed: Buffer): CachedSpeech | undefined {
  if (packed.length < 4) return undefined;
  const jsonLength = packed.readUInt32BE(0);
  if (4 + jsonLength > packed.length) return undefined;
  try {
    const meta = JSON.parse(packed.subarray(4, 4 + jsonLength).toString()) as Omit<
      CachedSpeech,
      'audio'
    >;
    return { ...meta, audio: packed.subarray(4 + jsonLength) };
  } catch {
    return undefined;
  }
}
