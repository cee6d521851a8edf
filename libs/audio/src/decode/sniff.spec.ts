import { sniffAudioType, sniffOggCodec } from '@cw/audio';
import { syntheticVoice } from '../analysis/__tests__/synthetic-voice';
import {
  flacFile,
  id3v2Tag,
  mp3File,
  oggFlacFile,
  oggOpusSilence,
  oggVorbisStart,
  randomBytes,
  toInt16,
  wavFile,
} from './__tests__/fixtures';

const voice = syntheticVoice({ f0: 150, sampleRate: 16000, seconds: 0.5 });
const pcm = toInt16(voice);

describe('sniffAudioType', () => {
  let mp3: Buffer;
  beforeAll(async () => {
    mp3 = await mp3File([pcm], 16000, 32);
  });

  it('recognises WAV of every flavour, and RF64', () => {
    expect(sniffAudioType(wavFile([voice], 16000, 'pcm16'))).toBe('wav');
    expect(sniffAudioType(wavFile([voice, voice], 44100, 'float32', true))).toBe('wav');
    const rf64 = wavFile([voice], 16000, 'pcm16');
    rf64.write('RF64', 0, 'ascii');
    expect(sniffAudioType(rf64)).toBe('wav');
  });

  it('recognises MP3 by two consecutive valid frame headers, with or without an ID3v2 tag', () => {
    expect(mp3.subarray(0, 3).toString('latin1')).not.toBe('ID3');
    expect(sniffAudioType(mp3)).toBe('mp3');
    expect(sniffAudioType(Buffer.concat([id3v2Tag('Reference'), mp3]))).toBe('mp3');
  });

  it('recognises FLAC, also behind an ID3v2 tag', () => {
    const flac = flacFile([pcm], 16000);
    expect(sniffAudioType(flac)).toBe('flac');
    expect(sniffAudioType(Buffer.concat([id3v2Tag('x'), flac]))).toBe('flac');
  });

  it('recognises Ogg and tells which codec is inside', () => {
    const files = {
      opus: oggOpusSilence(0.2),
      vorbis: oggVorbisStart(),
      flac: oggFlacFile([pcm], 16000),
    };
    for (const [codec, file] of Object.entries(files)) {
      expect(sniffAudioType(file)).toBe('ogg');
      expect(sniffOggCodec(file)).toBe(codec);
    }
    expect(sniffOggCodec(mp3)).toBeNull();
  });

  it('refuses text, whatever the file is called', () => {
    const texts = [
      'This is not audio, it is a text file renamed to voice.wav\n',
      '{"audio": "RIFF....WAVE"}',
      'ID3 is a tag format, but this is prose.',
      '',
    ];
    for (const text of texts) expect(sniffAudioType(Buffer.from(text))).toBeNull();
  });

  it('refuses random bytes', () => {
    for (let seed = 1; seed <= 500; seed++) {
      expect(sniffAudioType(randomBytes(4096, seed))).toBeNull();
    }
  });

  it('refuses a lone MPEG sync word and truncated signatures', () => {
    const sync = Buffer.concat([mp3.subarray(0, 4), randomBytes(2000, 7)]);
    expect(sniffAudioType(sync)).toBeNull();
    // Layer bits 00 are reserved.
    expect(sniffAudioType(Buffer.from([0xff, 0xf9, 0x90, 0x00]))).toBeNull();
    expect(sniffAudioType(Buffer.from('RIFF'))).toBeNull();
    expect(sniffAudioType(Buffer.from('fLaC'))).toBeNull();
    expect(sniffAudioType(Buffer.from('OggS'))).toBeNull();
    expect(sniffAudioType(Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x10'))).toBeNull();
  });

  it('refuses other binary formats', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const zip = Buffer.from('504b0304140000000800', 'hex');
    const avi = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00AVI LIST'), randomBytes(100, 3)]);
    for (const file of [png, zip, avi]) expect(sniffAudioType(file)).toBeNull();
  });
});
