import { decryptPrivateKey, encryptPrivateKey } from './key-crypto';

describe('private signing keys at rest (AES-256-GCM)', () => {
  const master = 'a-master-key-of-sufficient-length';
  const secret = JSON.stringify({ kty: 'OKP', crv: 'Ed25519', d: 'private-part', x: 'public-part' });

  it('round-trips, and the ciphertext does not contain the key', () => {
    const sealed = encryptPrivateKey(master, 'kid-1', secret);
    expect(sealed).not.toContain('private-part');
    expect(decryptPrivateKey(master, 'kid-1', sealed)).toBe(secret);
  });

  it('refuses another master key, another kid, or a flipped bit', () => {
    const sealed = encryptPrivateKey(master, 'kid-1', secret);
    expect(() => decryptPrivateKey('another-master-key-of-length', 'kid-1', sealed)).toThrow();
    expect(() => decryptPrivateKey(master, 'kid-2', sealed)).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => decryptPrivateKey(master, 'kid-1', `v1.${raw.toString('base64url')}`)).toThrow();
  });
});
