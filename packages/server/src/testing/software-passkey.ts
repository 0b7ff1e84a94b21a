/**
 * A WebAuthn authenticator in software for API tests: a P-256 key pair that answers a registration
 * ("none" attestation) and sign-ins with user presence and verification, as a platform authenticator
 * would. The browser suite uses Chromium's virtual authenticator; this one lets a passkey's whole
 * life (register, sign in, counter) run in a plain test, on both databases. Its CBOR and signature
 * come from @simplewebauthn/server's helpers and node:crypto, not from here.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

const FLAGS_UP_UV = 0x01 | 0x04;
const FLAG_ATTESTED = 0x40;
const b64url = (bytes: Uint8Array | Buffer | string) => Buffer.from(bytes).toString('base64url');

export interface SoftwarePasskey {
  readonly credentialId: string;
  /** The answer to registration options (`challenge`) for the relying party at `origin`. */
  register(challenge: string, origin: string): object;
  /** An assertion for a sign-in challenge; `counter` is what the authenticator reports (it counts up by itself). */
  signIn(challenge: string, origin: string, userHandle: string, counter?: number): object;
}

export function softwarePasskey(): SoftwarePasskey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const id = randomBytes(16);
  let counter = 0;

  const authenticatorData = (rpId: string, flags: number, count: number, attested?: Buffer) => {
    const head = Buffer.alloc(37);
    createHash('sha256').update(rpId).digest().copy(head, 0);
    head[32] = flags;
    head.writeUInt32BE(count, 33);
    return attested ? Buffer.concat([head, attested]) : head;
  };
  const clientData = (type: string, challenge: string, origin: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

  return {
    credentialId: b64url(id),
    register(challenge, origin) {
      const rpId = new URL(origin).hostname;
      const attested = Buffer.concat([Buffer.alloc(16), Buffer.from([0, id.length]), id, Buffer.from(coseKey(publicKey))]);
      const attestationObject = isoCBOR.encode(
        new Map<string, unknown>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', new Uint8Array(authenticatorData(rpId, FLAGS_UP_UV | FLAG_ATTESTED, counter, attested))],
        ]) as Parameters<typeof isoCBOR.encode>[0],
      );
      return {
        id: b64url(id),
        rawId: b64url(id),
        type: 'public-key',
        response: { clientDataJSON: b64url(clientData('webauthn.create', challenge, origin)), attestationObject: b64url(attestationObject), transports: ['internal'] },
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
      };
    },
    signIn(challenge, origin, userHandle, count) {
      counter = count ?? counter + 1;
      const data = authenticatorData(new URL(origin).hostname, FLAGS_UP_UV, counter);
      const client = clientData('webauthn.get', challenge, origin);
      const signature = sign('sha256', Buffer.concat([data, createHash('sha256').update(client).digest()]), privateKey);
      return {
        id: b64url(id),
        rawId: b64url(id),
        type: 'public-key',
        response: { clientDataJSON: b64url(client), authenticatorData: b64url(data), signature: b64url(signature), userHandle },
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
      };
    },
  };
}

/** The public key as a COSE_Key: EC2 (1: 2), ES256 (3: -7), P-256 (-1: 1), x (-2), y (-3). */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]),
  );
}
