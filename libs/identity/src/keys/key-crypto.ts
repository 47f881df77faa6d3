import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'cadre/signing-key/aes-256-gcm/v1';

// One AES-256 key per signing key: HKDF-SHA-256 over the master key, salted with the kid,
// so that no two rows share an encryption key and the kid is bound to its ciphertext.
function keyFor(masterKey: string, kid: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(masterKey, 'utf8'), Buffer.from(kid, 'utf8'), INFO, 32));
}

/** Encrypts a private key (JSON of a JWK) with AES-256-GCM; the kid is authenticated data. */
export function encryptPrivateKey(masterKey: string, kid: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(masterKey, kid), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** Decrypts what encryptPrivateKey produced; throws on a wrong master key or a tampered row. */
export function decryptPrivateKey(masterKey: string, kid: string, sealed: string): string {
  const [version, data] = sealed.split('.');
  if (version !== VERSION || !data) throw new Error('unsupported private key encoding');
  const raw = Buffer.from(data, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(masterKey, kid), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
