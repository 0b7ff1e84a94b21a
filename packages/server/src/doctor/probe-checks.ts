/**
 * Doctor checks that look at the running system rather than the configuration: file modes of the
 * data folder, whether PostgreSQL lets a client in without a password, and whether the S3 bucket can
 * be read by anyone.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import pg from 'pg';
import type { Config } from '../load-config.js';
import type { Finding } from './finding.js';

/** The data folder, the SQLite file (and its WAL) and the blob folder must be closed to other users. */
export function permissionFindings(config: Config): Finding[] {
  const paths: string[] = [config.dataDir];
  if (config.database.kind === 'sqlite')
    paths.push(config.database.path, `${config.database.path}-wal`, `${config.database.path}-shm`);
  if (config.blobStore.kind === 'fs') paths.push(join(config.dataDir, 'blobs'));
  const findings: Finding[] = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0)
      findings.push({
        check: 'data-permissions',
        problem: `${path} is readable or writable by other users (mode ${mode.toString(8).padStart(3, '0')}).`,
        fix: `chmod ${statSync(path).isDirectory() ? '700' : '600'} ${path} (and run Burrow as its own user).`,
      });
  }
  return findings;
}

/**
 * Connects with the configured URL stripped of its password. If the server lets that in, anyone who
 * can reach it can (the CloudPets database, which Shodan indexed).
 */
export async function postgresPasswordlessFinding(config: Config, timeoutMs = 3000): Promise<Finding | null> {
  if (config.database.kind !== 'postgres') return null;
  let url: URL;
  try {
    url = new URL(config.database.url);
  } catch {
    return null; // configFindings reports the unparseable URL.
  }
  url.password = '';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: timeoutMs });
  // pg falls back to PGPASSWORD and ~/.pgpass when the URL has none: make the probe truly passwordless.
  client.on('error', () => undefined);
  const saved = process.env.PGPASSWORD;
  delete process.env.PGPASSWORD;
  try {
    await client.connect();
  } catch {
    return null; // refused (as it should be) or unreachable; migrations will report the latter.
  } finally {
    if (saved !== undefined) process.env.PGPASSWORD = saved;
    await client.end().catch(() => undefined);
  }
  return {
    check: 'database-passwordless',
    problem: `PostgreSQL accepts a connection as "${decodeURIComponent(url.username) || '(default user)'}" without any password.`,
    fix: 'In pg_hba.conf replace "trust" with "scram-sha-256" for every host line, give the role a password (ALTER ROLE … PASSWORD …), and reload PostgreSQL.',
  };
}

function errorName(err: unknown): string {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** The S3 probes, split out so tests can give answers an s3rver cannot (a private bucket). */
export interface S3Probe {
  /** GetBucketPolicyStatus → IsPublic (throws if the service cannot say). */
  policyIsPublic(): Promise<boolean>;
  /** GetPublicAccessBlock → true when all four settings are on (throws if none is set). */
  publicAccessFullyBlocked(): Promise<boolean>;
  /** An unsigned GET of the bucket listing: true if a stranger gets it. */
  anonymousListSucceeds(): Promise<boolean>;
}

export function s3Probe(client: S3Client, bucket: string, bucketUrl: string): S3Probe {
  return {
    async policyIsPublic() {
      const answer = await client.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }));
      return answer.PolicyStatus?.IsPublic === true;
    },
    async publicAccessFullyBlocked() {
      const answer = await client.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
      const c = answer.PublicAccessBlockConfiguration;
      return Boolean(c?.BlockPublicAcls && c.IgnorePublicAcls && c.BlockPublicPolicy && c.RestrictPublicBuckets);
    },
    async anonymousListSucceeds() {
      const response = await fetch(bucketUrl, { signal: AbortSignal.timeout(5000) });
      await response.body?.cancel();
      return response.ok;
    },
  };
}

/** A bucket is acceptable only if a stranger is refused AND S3 itself says it is private and blocked. */
export async function s3Findings(bucket: string, probe: S3Probe): Promise<Finding[]> {
  const findings: Finding[] = [];
  const blockFix = `Turn on all four settings of the bucket's public access block (aws s3api put-public-access-block --bucket ${bucket} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true) and remove any policy statement with "Principal": "*".`;
  try {
    if (await probe.anonymousListSucceeds())
      findings.push({
        check: 's3-public',
        problem: `Bucket ${bucket} answers an anonymous request: anyone with its address can list and read the blobs.`,
        fix: blockFix,
      });
  } catch {
    // Unreachable without credentials is what we want.
  }
  try {
    if (await probe.policyIsPublic())
      findings.push({ check: 's3-policy', problem: `S3 reports bucket ${bucket}'s policy as public.`, fix: blockFix });
  } catch (err) {
    if (errorName(err) !== 'NoSuchBucketPolicy')
      findings.push({
        check: 's3-policy',
        problem: `Bucket ${bucket}'s policy status cannot be read (${errorName(err)}), so it cannot be shown to be private.`,
        fix: `Use a service that implements GetBucketPolicyStatus, and allow s3:GetBucketPolicyStatus to Burrow's key. ${blockFix}`,
      });
  }
  try {
    if (!(await probe.publicAccessFullyBlocked()))
      findings.push({
        check: 's3-public-access-block',
        problem: `Bucket ${bucket}'s public access block is not fully on.`,
        fix: blockFix,
      });
  } catch (err) {
    findings.push({
      check: 's3-public-access-block',
      problem: `Bucket ${bucket} has no readable public access block (${errorName(err)}).`,
      fix: `${blockFix} Allow s3:GetBucketPublicAccessBlock to Burrow's key.`,
    });
  }
  return findings;
}
