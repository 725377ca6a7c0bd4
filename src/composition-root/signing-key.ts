/**
 * Where the token signing key comes from: a start-up decision that reads the configuration and
 * uses the security adapter's PASERK helpers, so it belongs to the composition root.
 */
import {
  generateTokenKeyPair,
  keyIdFor,
  loadOrCreateDevelopmentKeys,
  publicKeyOf,
  type SigningKey,
} from '../adapters/security/paserk-keys.js';
import { type AppConfig, ConfigError } from '../config/config.js';

/**
 * The key access tokens are signed with:
 * - TOKEN_SIGNING_KEY with TOKEN_KEY_ID when set (checked to be a usable Ed25519 key);
 * - otherwise in production, none: the start stops, because a key made up on one machine would
 *   neither survive a restart nor be shared by the other instances;
 * - in development, a key generated once and kept in `<DATA_DIR>/token-signing-key.json`;
 * - in tests, a fresh key for each call.
 */
export async function resolveSigningKey(config: AppConfig): Promise<SigningKey> {
  const { signingKey, keyId } = config.tokens;
  if (signingKey !== null && keyId !== null) {
    try {
      await publicKeyOf(signingKey);
    } catch {
      throw new ConfigError([
        {
          path: 'tokens.signingKey',
          env: 'TOKEN_SIGNING_KEY',
          message: 'is not a usable PASERK k4.secret key (value not shown)',
        },
      ]);
    }
    return { kid: keyId, secret: signingKey };
  }
  switch (config.env) {
    case 'production':
      throw new ConfigError('TOKEN_SIGNING_KEY and TOKEN_KEY_ID are required in production');
    case 'development':
      return loadOrCreateDevelopmentKeys(config.database.dataDir);
    case 'test': {
      const pair = await generateTokenKeyPair();
      return { kid: keyIdFor(pair.public, 'test'), secret: pair.secret };
    }
  }
}
