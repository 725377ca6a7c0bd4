/**
 * PASERK key helpers for PASETO v4.public: generate a key pair, derive the public key, keep a
 * development key on disk. The CLI's generate-key and the composition root use them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PublicProtocol } from 'paseto';
import {
  ExportPublicKeyFactory,
  ExportSecretKeyFactory,
  GenerateKeyPairFactory,
  GetPublicKeyFactory,
  ImportSecretKeyFactory,
} from 'paseto/v4/public';
import { K4_SECRET_PATTERN, KEY_ID_PATTERN } from '../../application/ports/tokens.js';

const v4 = new PublicProtocol(
  GenerateKeyPairFactory,
  ImportSecretKeyFactory,
  ExportSecretKeyFactory,
  ExportPublicKeyFactory,
  GetPublicKeyFactory,
);

export interface SigningKey {
  readonly kid: string;
  /** PASERK `k4.secret...`. */
  readonly secret: string;
}

/** A fresh Ed25519 key pair as PASERK strings. */
export async function generateTokenKeyPair(): Promise<{ secret: string; public: string }> {
  const { secretKey, publicKey } = await v4.GenerateKeyPair({ extractable: true });
  return {
    secret: await v4.ExportSecretKey(secretKey),
    public: await v4.ExportPublicKey(publicKey),
  };
}

/** The `k4.public` PASERK of a `k4.secret` PASERK. Throws when the secret is not a valid key. */
export async function publicKeyOf(secret: string): Promise<string> {
  if (!K4_SECRET_PATTERN.test(secret)) throw new Error('Not a k4.secret key');
  try {
    return await v4.ExportPublicKey(
      await v4.GetPublicKey(await v4.ImportSecretKey(secret as `k4.secret.${string}`)),
    );
  } catch {
    throw new Error('Not a valid k4.secret key');
  }
}

/** A short id derived from the public key, so the same key always gets the same id. */
export function keyIdFor(publicPaserk: string, prefix = 'key'): string {
  return `${prefix}-${createHash('sha256').update(publicPaserk).digest('base64url').slice(0, 12)}`;
}

export const DEVELOPMENT_KEY_FILE = 'token-signing-key.json';

/**
 * The development signing key, kept in `<dataDir>/token-signing-key.json` (mode 0600) so that
 * tokens survive a restart. The first start creates it; later starts reuse it. Several worker
 * processes starting together agree on one key: the file is published with an atomic link that
 * fails when another process got there first, and that process's key is read instead.
 */
export async function loadOrCreateDevelopmentKeys(dataDir: string): Promise<SigningKey> {
  const file = join(dataDir, DEVELOPMENT_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing !== null) return existing;

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pair = await generateTokenKeyPair();
  const key: SigningKey = { kid: keyIdFor(pair.public, 'dev'), secret: pair.secret };
  const body = `${JSON.stringify(key, null, 2)}\n`;
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, body, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // A file system without hard links: an exclusive create still never overwrites a key.
      await writeFile(file, body, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
    }
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const stored = await readKeyFile(file);
  if (stored === null) throw new Error(`Could not create the development signing key in ${file}`);
  return stored;
}

async function readKeyFile(file: string): Promise<SigningKey | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const broken = new Error(
    `${file} does not hold a valid signing key; delete it to create a new one`,
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw broken;
  }
  const { kid, secret } = (parsed ?? {}) as { kid?: unknown; secret?: unknown };
  if (typeof kid !== 'string' || !KEY_ID_PATTERN.test(kid) || typeof secret !== 'string')
    throw broken;
  try {
    await publicKeyOf(secret);
  } catch {
    throw broken;
  }
  // The file holds a private key: keep it readable by its owner only.
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0) await chmod(file, 0o600);
  return { kid, secret };
}
