import type { WordTiming } from '@cw/engines';

/** Character-level timings, ElevenLabs' unit of alignment; times in ms. */
export interface CharAlignment {
  chars: string[];
  startsMs: number[];
  durationsMs: number[];
}

/** `alignment` refers to the text the client sent, `normalized` to the words really spoken. */
export interface TextAlignment {
  original: CharAlignment;
  normalized: CharAlignment;
}

interface Span {
  text: string;
  startMs: number;
  endMs: number;
}

/** Spreads each span's characters evenly over its time; the gap before a span goes to the space. */
function spread(spans: readonly Span[], separator: (index: number) => string): CharAlignment {
  const out: CharAlignment = { chars: [], startsMs: [], durationsMs: [] };
  let at = 0;
  const push = (char: string, start: number, duration: number) => {
    out.chars.push(char);
    out.startsMs.push(Math.round(start));
    out.durationsMs.push(Math.max(0, Math.round(start + duration) - Math.round(start)));
  };
  spans.forEach((span, i) => {
    const gap = separator(i);
    const gapMs = Math.max(0, span.startMs - at);
    for (const char of gap) push(char, at, gapMs / gap.length);
    const chars = [...span.text];
    const each = Math.max(0, span.endMs - span.startMs) / Math.max(1, chars.length);
    chars.forEach((char, k) => push(char, span.startMs + k * each, each));
    at = Math.max(at, span.endMs);
  });
  return out;
}

/**
 * ElevenLabs' character alignment of one piece of speech, from our word timings (ms from the
 * piece's first sample). The spoken words give `normalized`; the sent text's words take the time
 * of the spoken word at the same position when both have as many words, and otherwise the time
 * of the spoken character at the same relative position ("₦5,000" is four spoken words). An
 * engine without word timings spreads the text evenly over the audio.
 */
export function alignText(
  text: string,
  words: readonly WordTiming[],
  audioMs: number,
): TextAlignment {
  const tokens = [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], index: m.index }));
  const separatorOf = (index: number): string => {
    if (index === 0) return text.slice(0, tokens[0]?.index ?? 0);
    const previous = tokens[index - 1];
    return text.slice(previous.index + previous.text.length, tokens[index].index);
  };
  const spoken: Span[] = words.length
    ? words.map((w) => ({ text: w.word, startMs: w.startMs, endMs: w.endMs }))
    : [{ text: text.trim(), startMs: 0, endMs: audioMs }];
  const normalized = spread(spoken, (i) => (i === 0 ? '' : ' '));
  let original: CharAlignment;
  if (tokens.length === spoken.length) {
    original = spread(
      tokens.map((t, i) => ({ text: t.text, startMs: spoken[i].startMs, endMs: spoken[i].endMs })),
      separatorOf,
    );
  } else {
    original = proportional([...text], normalized);
  }
  // Trailing whitespace of the sent text belongs to it too (clients concatenate the chars).
  const tail = tokens.length
    ? text.slice(tokens[tokens.length - 1].index + tokens[tokens.length - 1].text.length)
    : '';
  if (tokens.length === spoken.length && tail) {
    const end = spoken[spoken.length - 1]?.endMs ?? 0;
    for (const char of tail) {
      original.chars.push(char);
      original.startsMs.push(Math.round(end));
      original.durationsMs.push(0);
    }
  }
  return { original, normalized };
}

/** Each sent character takes the time of the spoken character at the same relative position. */
function proportional(chars: string[], spoken: CharAlignment): CharAlignment {
  const m = spoken.chars.length;
  const endMs = m ? spoken.startsMs[m - 1] + spoken.durationsMs[m - 1] : 0;
  const starts = chars.map((_, i) => (m ? spoken.startsMs[Math.floor((i * m) / chars.length)] : 0));
  return {
    chars,
    startsMs: starts,
    durationsMs: starts.map((start, i) => Math.max(0, (starts[i + 1] ?? endMs) - start)),
  };
}

/** Moves every time by `offsetMs` (a piece's place on its context's clock). */
export function shiftAlignment(alignment: CharAlignment, offsetMs: number): CharAlignment {
  return { ...alignment, startsMs: alignment.startsMs.map((s) => Math.round(s + offsetMs)) };
}

/** The WebSocket's camelCase form; `charsDurationsMs` is the spelling some clients read. */
export function wsAlignment(a: CharAlignment): Record<string, number[] | string[]> {
  return {
    chars: a.chars,
    charStartTimesMs: a.startsMs,
    charDurationsMs: a.durationsMs,
    charsDurationsMs: a.durationsMs,
  };
}

/** The HTTP form: snake_case, in seconds. */
export function httpAlignment(a: CharAlignment): {
  characters: string[];
  character_start_times_seconds: number[];
  character_end_times_seconds: number[];
} {
  return {
    characters: a.chars,
    character_start_times_seconds: a.startsMs.map((s) => s / 1000),
    character_end_times_seconds: a.startsMs.map((s, i) => (s + a.durationsMs[i]) / 1000),
  };
}
