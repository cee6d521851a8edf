/**
 * eSpeak NG through the system's libespeak-ng (Debian's `libespeak-ng1`), called with koffi from a
 * pool thread. It renders the same voices about four times faster than the embedded build (which
 * is eSpeak compiled to JavaScript): 994x against 223x real time, a short sentence 1.2 against
 * 4.7 ms, measured in one thread on 2026-11-30.
 *
 * libespeak-ng keeps its state in globals, so two threads must never share one loaded copy (two
 * threads synthesizing through the same copy crash the process). Each thread therefore loads its
 * own copy of the library file: the dynamic loader maps a file with another path and inode as a
 * separate library with its own globals. The copy is deleted once loaded; the mapping stays.
 *
 * eSpeak's audio is copied out of its buffer with the C library's memcpy into a new Int16Array,
 * not through `koffi.view`: every ArrayBuffer koffi.view makes is never freed (about 190 bytes
 * per callback in koffi 2.16.3 and 3.3.4, with garbage collection forced: a 5 s sentence is about
 * 100 callbacks), so a busy process grew by 13-18 MB per 150 calls of 26 s. `koffi.decode` into a
 * typed array leaks too, about a tenth of that; memcpy into memory V8 owns leaks nothing.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findSystemLibrary } from '@cw/util';
import type { EspeakEvent } from './espeak-text';
import type { EspeakVoiceInfo } from './espeak.protocol';

/** What the pool thread needs of an eSpeak instance, whichever build runs it. */
export interface EspeakInstance {
  set_voice(name: string): number;
  rate: number;
  pitch: number;
  range: number;
  readonly samplerate: number;
  list_voices(): EspeakVoiceInfo[];
  /** The callback's truthy return value aborts the synthesis. */
  synthesize(text: string, callback: (samples: Int16Array, events: EspeakEvent[]) => number): void;
}

export interface EspeakBackend {
  instance: EspeakInstance;
  /** File names of eSpeak's voice variants (`voices/!v`). */
  variants(): string[];
  /** For health: which build and version. */
  build: string;
}

/** The system's libespeak-ng, or undefined when none is installed. */
export function findEspeakLibrary(): string | undefined {
  return findSystemLibrary('libespeak-ng.so.1');
}

const C_LIBRARY = 'libc.so.6';

// speak_lib.h and espeak_ng.h
const ENOUTPUT_MODE_SYNCHRONOUS = 1;
const POS_CHARACTER = 1;
/** espeakCHARS_UTF8 | espeakSSML | espeakPHONEMES: what the embedded build's glue passes. */
const SYNTH_FLAGS = 0x01 | 0x10 | 0x100;
const PARAM = { rate: 1, pitch: 3, range: 4 } as const;
/** sizeof(espeak_EVENT) on 64-bit Linux: 6 ints, a pointer, an 8-byte union. */
const EVENT_SIZE = 40;
const EVENT_TYPES = [
  'list_terminated',
  'word',
  'sentence',
  'mark',
  'play',
  'end',
  'msg_terminated',
  'phoneme',
  'samplerate',
];

type Koffi = typeof import('koffi');
type EventType = ReturnType<Koffi['struct']>;

/** Loads a private copy of `library` into this thread; throws when it cannot. */
export function loadNativeEspeak(library: string): EspeakBackend {
  // Required here, not at the top: a thread on the embedded build never loads the addon.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const koffi = require('koffi') as Koffi;
  const dir = mkdtempSync(path.join(tmpdir(), 'cw-espeak-'));
  const copy = path.join(dir, path.basename(library));
  let lib: ReturnType<Koffi['load']>;
  try {
    copyFileSync(library, copy);
    lib = koffi.load(copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The C library the process already runs on (glibc's soname); a system without it keeps the
  // embedded build (loadEspeak falls back and says why).
  const memcpy = koffi
    .load(C_LIBRARY)
    .func('void *memcpy(void *destination, const void *source, size_t bytes)');

  const event = koffi.struct({
    type: 'int',
    unique_identifier: 'uint',
    text_position: 'int',
    length: 'int',
    audio_position: 'int',
    sample: 'int',
    user_data: 'void *',
    // A union of an int (word and sentence numbers) and a name pointer.
    id: 'int',
    idRest: 'int',
  });
  const callbackType = koffi.pointer(koffi.proto('int', ['void *', 'int', 'void *']));
  const fn = {
    initializePath: lib.func('void espeak_ng_InitializePath(const char *path)'),
    initialize: lib.func('int espeak_ng_Initialize(void *errorContext)'),
    initializeOutput: lib.func(
      'int espeak_ng_InitializeOutput(int mode, int bufferMs, const char *device)',
    ),
    sampleRate: lib.func('int espeak_ng_GetSampleRate()'),
    info: lib.func('const char *espeak_Info(_Out_ const char **path)'),
    setCallback: lib.func('espeak_SetSynthCallback', 'void', [callbackType]),
    setVoice: lib.func('int espeak_SetVoiceByName(const char *name)'),
    setParameter: lib.func('int espeak_SetParameter(int parameter, int value, int relative)'),
    getParameter: lib.func('int espeak_GetParameter(int parameter, int current)'),
    listVoices: lib.func('void **espeak_ListVoices(void *spec)'),
    synth: lib.func(
      'int espeak_Synth(const char *text, size_t size, uint position, int positionType, uint end, uint flags, void *id, void *user)',
    ),
  };

  // Debian's build has eSpeak's asynchronous mode compiled in: initializing starts one thread for
  // it per copy, which waits on a condition and takes no CPU in synchronous mode.
  fn.initializePath(null);
  const status = fn.initialize(null) as number;
  if (status !== 0) throw new Error(`espeak_ng_Initialize failed (status ${status})`);
  fn.initializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, null);
  const samplerate = fn.sampleRate() as number;
  const dataPath: [string | null] = [null];
  const version = fn.info(dataPath) as string;

  let onAudio: ((samples: Int16Array, events: EspeakEvent[]) => number) | null = null;
  const callback = koffi.register((wav: unknown, n: number, events: unknown): number => {
    if (!onAudio) return 1;
    const samples = new Int16Array(n);
    if (n > 0) memcpy(samples, wav, n * 2);
    return onAudio(samples, readEvents(koffi, events, event));
  }, callbackType);
  fn.setCallback(callback);

  const parameter = (id: number) => fn.getParameter(id, 1) as number;
  const instance: EspeakInstance = {
    set_voice: (name) => fn.setVoice(name) as number,
    get rate() {
      return parameter(PARAM.rate);
    },
    set rate(value: number) {
      fn.setParameter(PARAM.rate, value, 0);
    },
    get pitch() {
      return parameter(PARAM.pitch);
    },
    set pitch(value: number) {
      fn.setParameter(PARAM.pitch, value, 0);
    },
    get range() {
      return parameter(PARAM.range);
    },
    set range(value: number) {
      fn.setParameter(PARAM.range, value, 0);
    },
    samplerate,
    list_voices: () => listVoices(koffi, fn.listVoices(null)),
    synthesize(text, cb) {
      onAudio = cb;
      try {
        const status = fn.synth(
          text,
          Buffer.byteLength(text) + 1,
          0,
          POS_CHARACTER,
          0,
          SYNTH_FLAGS,
          null,
          null,
        ) as number;
        if (status !== 0) throw new Error(`espeak_Synth failed (${status})`);
      } finally {
        onAudio = null;
      }
    },
  };

  const variantsDir = dataPath[0] ? path.join(dataPath[0], 'voices', '!v') : null;
  return {
    instance,
    variants: () => (variantsDir ? readdirSync(variantsDir) : []),
    build: `espeak-ng ${version} (native, ${library})`,
  };
}

function readEvents(koffi: Koffi, pointer: unknown, type: EventType): EspeakEvent[] {
  const events: EspeakEvent[] = [];
  for (let offset = 0; ; offset += EVENT_SIZE) {
    const raw = koffi.decode(pointer, offset, type) as {
      type: number;
      text_position: number;
      length: number;
      audio_position: number;
      id: number;
    };
    if (raw.type === 0) break;
    const name = EVENT_TYPES[raw.type] ?? 'unknown';
    events.push({
      type: name,
      text_position: raw.text_position,
      word_length: raw.length,
      audio_position: raw.audio_position,
      // The union's number (word and sentence events); names (marks) are not used by the worker.
      id: name === 'word' || name === 'sentence' ? raw.id : undefined,
    });
  }
  return events;
}

/** espeak_ListVoices: a NULL-terminated array of espeak_VOICE pointers. */
function listVoices(koffi: Koffi, list: unknown): EspeakVoiceInfo[] {
  const voices: EspeakVoiceInfo[] = [];
  for (let index = 0; ; index++) {
    const voice = koffi.decode(list, index * 8, 'void *') as unknown;
    if (voice === null) break;
    const name = koffi.decode(voice, 0, 'const char *') as string;
    const languages = koffi.decode(voice, 8, 'void *') as unknown;
    const identifier = koffi.decode(voice, 16, 'const char *') as string;
    voices.push({ name, identifier, languages: readLanguages(koffi, languages) });
  }
  return voices;
}

/** `languages`: a priority byte then a NUL-terminated name, repeated, ended by a zero byte. */
function readLanguages(koffi: Koffi, pointer: unknown): { priority: number; name: string }[] {
  const languages: { priority: number; name: string }[] = [];
  let offset = 0;
  for (;;) {
    const priority = koffi.decode(pointer, offset, 'uint8_t') as number;
    if (priority === 0) break;
    const name = koffi.decode(pointer, offset + 1, 'char', -1) as string;
    languages.push({ priority, name });
    offset += 1 + Buffer.byteLength(name) + 1;
  }
  return languages;
}
