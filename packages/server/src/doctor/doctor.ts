/**
 * `burrow doctor`: every check, in one list. The server runs the same checks at start-up; in
 * production it refuses to start on any finding (P8), in development it prints them as warnings.
 */
import { createS3Client } from '../blobs/s3-blobs.js';
import type { Config } from '../load-config.js';
import { configFindings } from './config-checks.js';
import type { Finding } from './finding.js';
import { honeycheckerFindings } from './honeychecker-checks.js';
import { permissionFindings, postgresPasswordlessFinding, s3Findings, s3Probe, type S3Probe } from './probe-checks.js';

export interface DoctorOptions {
  /** Replace the S3 probe (tests of a private bucket, which s3rver cannot be). */
  s3Probe?: S3Probe;
}

/** The bucket's path-style URL, as a stranger would request it. */
export function bucketUrl(blobStore: Extract<Config['blobStore'], { kind: 's3' }>): string {
  const endpoint = blobStore.endpoint ?? `https://s3.${blobStore.region}.amazonaws.com`;
  return `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(blobStore.bucket)}`;
}

/** Runs every check and returns the findings (empty: nothing to fix). */
export async function runDoctor(config: Config, options: DoctorOptions = {}): Promise<Finding[]> {
  const findings = [...configFindings(config), ...permissionFindings(config), ...honeycheckerFindings(config)];
  const passwordless = await postgresPasswordlessFinding(config);
  if (passwordless) findings.push(passwordless);
  const store = config.blobStore;
  if (store.kind === 's3') {
    if (options.s3Probe) findings.push(...(await s3Findings(store.bucket, options.s3Probe)));
    else {
      const client = createS3Client(store);
      try {
        findings.push(...(await s3Findings(store.bucket, s3Probe(client, store.bucket, bucketUrl(store)))));
      } finally {
        client.destroy();
      }
    }
  }
  return findings;
}
