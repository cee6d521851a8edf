import { ClipUrlSigner } from './clip-url-signer';

const ID = '0b8f6c1e-6a43-4d55-9d0e-3f1c2a7b9e10';
const EXPIRES = 1795730400;

describe('ClipUrlSigner', () => {
  const signer = new ClipUrlSigner(Buffer.from('s'.repeat(32)));
  const signature = signer.sign(ID, EXPIRES);

  it('signs as 43 base64url characters and verifies its own signature', () => {
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(ID, String(EXPIRES), signature)).toBe(true);
  });

  it.each([
    ['another id', ID.replace('0b8f', '1b8f'), String(EXPIRES), signature],
    ['an upper-case id', ID.toUpperCase(), String(EXPIRES), signature],
    ['another expiry', ID, String(EXPIRES + 1), signature],
    ['the same expiry spelt with a leading zero', ID, `0${EXPIRES}`, signature],
    ['a flipped signature character', ID, String(EXPIRES), flip(signature)],
    ['a truncated signature', ID, String(EXPIRES), signature.slice(0, 42)],
    ['a missing expiry', ID, undefined, signature],
    ['a repeated query parameter', ID, [String(EXPIRES), String(EXPIRES)], signature],
  ])('refuses %s', (_, id, expires, sig) => {
    expect(signer.verify(id, expires, sig)).toBe(false);
  });

  it('refuses a signature made with another secret', () => {
    const other = new ClipUrlSigner(Buffer.from('t'.repeat(32)));
    expect(signer.verify(ID, String(EXPIRES), other.sign(ID, EXPIRES))).toBe(false);
  });
});

function flip(s: string): string {
  return (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
}
