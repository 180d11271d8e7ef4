// Cross-language check: a Node.js client completes the basic CredentialBroker flow using nothing
// but the public contract in protos/ (no generated code, no server internals).
//
//   BROKER_ADDR=127.0.0.1:5080 BROKER_ADMIN_TOKEN=<admin token> node flow.mjs
//
// Exits 0 when every step behaved as the contract says, 1 (with the failing step) otherwise.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const here = path.dirname(fileURLToPath(import.meta.url));
const protosRoot = path.resolve(here, '..', '..', 'protos');
const protoFiles = ['admin', 'credentials', 'revocation', 'resources', 'audit']
  .map((name) => `credentialbroker/v1/${name}.proto`);

const CALL_TIMEOUT_MS = 15_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const statusName = Object.fromEntries(Object.entries(grpc.status).map(([name, code]) => [code, name]));

class FlowError extends Error {}

let currentStep = '(start)';
let passed = 0;

function fail(message) {
  throw new FlowError(message);
}

function assert(condition, message) {
  if (!condition) {
    fail(message);
  }
  passed++;
}

function assertEqual(actual, expected, what) {
  assert(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function assertUuid(value, what) {
  assert(typeof value === 'string' && UUID.test(value), `${what}: expected a UUID, got ${JSON.stringify(value)}`);
}

/** Timestamp/Duration (longs as strings) to milliseconds; null when the message is unset. */
function millis(value) {
  if (value === null || value === undefined) {
    return null;
  }
  return Number(value.seconds) * 1000 + Math.floor((value.nanos ?? 0) / 1e6);
}

function assertTimestamp(value, what) {
  const ms = millis(value);
  assert(ms !== null && ms > 0, `${what}: expected a timestamp, got ${JSON.stringify(value)}`);
  return ms;
}

function env(name) {
  const value = process.env[name];
  if (!value) {
    fail(`environment variable ${name} is not set (see README.md)`);
  }
  return value;
}

function bearer(token) {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** Calls a unary RPC and resolves with the response; rejects with the gRPC error. */
function call(client, method, request, metadata) {
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + CALL_TIMEOUT_MS);
    client[method](request, metadata ?? new grpc.Metadata(), { deadline }, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

/** A step that must succeed (status OK). */
async function ok(step, client, method, request, metadata) {
  currentStep = step;
  try {
    const response = await call(client, method, request, metadata);
    passed++;
    return response;
  } catch (error) {
    fail(`${method} returned ${describe(error)}; expected OK`);
  }
}

/** A step that must fail with the given status code. */
async function rejects(step, expectedCode, client, method, request, metadata) {
  currentStep = step;
  let response;
  try {
    response = await call(client, method, request, metadata);
  } catch (error) {
    assert(error.code === grpc.status[expectedCode],
      `${method} returned ${describe(error)}; expected ${expectedCode}`);
    assert(typeof error.details === 'string' && error.details.length > 0, `${method}: ${expectedCode} carries no message`);
    return error;
  }
  fail(`${method} succeeded (expected ${expectedCode}): ${JSON.stringify(response)}`);
}

/** A gRPC error as "CODE: details", with a hint when the broker cannot be reached at all. */
function describe(error) {
  const code = statusName[error.code] ?? error.code;
  const hint = error.code === grpc.status.UNAVAILABLE ? ` (is the broker running at ${process.env.BROKER_ADDR}, plaintext HTTP/2?)` : '';
  return `${code}: ${error.details ?? error.message}${hint}`;
}

function log(message) {
  console.log(`ok   ${currentStep}${message ? ` — ${message}` : ''}`);
}

async function main() {
  const address = env('BROKER_ADDR');
  const adminToken = env('BROKER_ADMIN_TOKEN');

  currentStep = 'load protos';
  const definition = protoLoader.loadSync(protoFiles, {
    includeDirs: [protosRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const v1 = grpc.loadPackageDefinition(definition).credentialbroker.v1;
  for (const service of ['AdminService', 'CredentialService', 'RevocationService', 'AuditService']) {
    assert(typeof v1[service] === 'function', `service credentialbroker.v1.${service} is missing from ${protosRoot}`);
  }
  log(protosRoot);

  const credentials = grpc.credentials.createInsecure();
  const admin = new v1.AdminService(address, credentials);
  const creds = new v1.CredentialService(address, credentials);
  const revocations = new v1.RevocationService(address, credentials);
  const adminAuth = bearer(adminToken);
  const suffix = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

  try {
    // ---- set-up, as admin -------------------------------------------------------------------
    await rejects('CreateOwner without a token', 'UNAUTHENTICATED', admin, 'CreateOwner',
      { name: `node-team-${suffix}`, email: 'x@example.com' });
    log('UNAUTHENTICATED');

    const owner = await ok('CreateOwner', admin, 'CreateOwner',
      { name: `node-team-${suffix}`, email: `node-team-${suffix}@example.com` }, adminAuth);
    assertUuid(owner.id, 'owner.id');
    assertEqual(owner.name, `node-team-${suffix}`, 'owner.name');
    assertEqual(owner.email, `node-team-${suffix}@example.com`, 'owner.email');
    assertEqual(owner.active, true, 'owner.active');
    assertTimestamp(owner.created_at, 'owner.created_at');
    log(owner.id);

    const identity = `spiffe://node-client.test/agent-${suffix}`;
    const workload = await ok('RegisterWorkload', admin, 'RegisterWorkload',
      { identity, owner_id: owner.id, description: 'node.js cross-language client' }, adminAuth);
    assertUuid(workload.id, 'workload.id');
    assertEqual(workload.identity, identity, 'workload.identity');
    assertEqual(workload.owner_id, owner.id, 'workload.owner_id');
    log(workload.id);

    const providerName = `openai-node-${suffix}`;
    const rootKey = `sk-node-root-${randomBytes(12).toString('hex')}`;
    const provider = await ok('RegisterProvider', admin, 'RegisterProvider',
      { name: providerName, kind: 'openai', base_url: 'https://api.openai.example', root_key: rootKey }, adminAuth);
    assertUuid(provider.id, 'provider.id');
    assertEqual(provider.name, providerName, 'provider.name');
    assertEqual(provider.kind, 'openai', 'provider.kind');
    assertEqual(provider.base_url, 'https://api.openai.example', 'provider.base_url');
    assertEqual(provider.has_root_key, true, 'provider.has_root_key');
    assert(!JSON.stringify(provider).includes(rootKey), 'RegisterProvider response contains the root key');
    log(provider.id);

    const purposeName = `node-purpose-${suffix}`;
    const purpose = await ok('CreatePurpose', admin, 'CreatePurpose', {
      name: purposeName,
      description: 'cross-language client check',
      owner_id: owner.id,
      risk_tier: 'RISK_TIER_SANDBOX',
      default_ttl: { seconds: 600, nanos: 0 },
      max_ttl: { seconds: 3600, nanos: 0 },
      allowed_providers: [providerName],
      allowed_models: ['gpt-4o-mini', 'gpt-4.1*'],
    }, adminAuth);
    assertUuid(purpose.id, 'purpose.id');
    assertEqual(purpose.name, purposeName, 'purpose.name');
    assertEqual(purpose.owner_id, owner.id, 'purpose.owner_id');
    assertEqual(purpose.risk_tier, 'RISK_TIER_SANDBOX', 'purpose.risk_tier');
    assertEqual(millis(purpose.default_ttl), 600_000, 'purpose.default_ttl (ms)');
    assertEqual(millis(purpose.max_ttl), 3_600_000, 'purpose.max_ttl (ms)');
    assertEqual(JSON.stringify(purpose.allowed_providers), JSON.stringify([providerName]), 'purpose.allowed_providers');
    assertEqual(JSON.stringify(purpose.allowed_models), JSON.stringify(['gpt-4o-mini', 'gpt-4.1*']), 'purpose.allowed_models');
    log(purpose.id);

    const grant = await ok('GrantPurpose', admin, 'GrantPurpose',
      { workload_id: workload.id, purpose_id: purpose.id }, adminAuth);
    assertUuid(grant.id, 'grant.id');
    assertEqual(grant.workload_id, workload.id, 'grant.workload_id');
    assertEqual(grant.purpose_id, purpose.id, 'grant.purpose_id');
    log(grant.id);

    const workloadToken = await ok('CreateAccessToken (workload)', admin, 'CreateAccessToken',
      { role: 'ROLE_WORKLOAD', workload_id: workload.id, ttl: { seconds: 3600, nanos: 0 }, description: 'node flow workload' }, adminAuth);
    assert(workloadToken.token.startsWith('cbt_'), `workload token should start with "cbt_", got ${JSON.stringify(workloadToken.token.slice(0, 8))}`);
    assertUuid(workloadToken.id, 'workload token id');
    assertEqual(workloadToken.role, 'ROLE_WORKLOAD', 'workload token role');
    assertTimestamp(workloadToken.expires_at, 'workload token expires_at');
    log(workloadToken.id);

    const securityToken = await ok('CreateAccessToken (security)', admin, 'CreateAccessToken',
      { role: 'ROLE_SECURITY', owner_id: '', ttl: { seconds: 3600, nanos: 0 }, description: 'node flow security' }, adminAuth);
    assert(securityToken.token.startsWith('cbt_'), 'security token should start with "cbt_"');
    assertUuid(securityToken.id, 'security token id');
    assertEqual(securityToken.role, 'ROLE_SECURITY', 'security token role');
    assert(securityToken.token !== workloadToken.token, 'the two access tokens are equal');
    log(securityToken.id);

    const workloadAuth = bearer(workloadToken.token);
    const securityAuth = bearer(securityToken.token);

    // ---- issue, renew, revoke, as the workload ---------------------------------------------
    const issueRequest = (label) => ({
      purpose: purposeName,
      provider: providerName,
      ttl: { seconds: 600, nanos: 0 },
      models: ['gpt-4o-mini'],
      labels: { flow: 'node', step: label },
    });

    const assertIssued = (issued, label) => {
      const c = issued.credential;
      assert(c !== null && typeof c === 'object', 'IssueCredential response has no credential');
      assertUuid(c.id, 'credential.id');
      assert(issued.secret.startsWith('cbk_'), `secret should start with "cbk_", got prefix ${JSON.stringify(issued.secret.slice(0, 4))}`);
      assert(c.prefix.length > 4 && issued.secret.startsWith(c.prefix), `credential.prefix ${JSON.stringify(c.prefix)} is not the secret's beginning`);
      assert(issued.secret.length > c.prefix.length, 'secret is no longer than its public prefix');
      assert(typeof issued.gateway_base_url === 'string' && issued.gateway_base_url.length > 0, 'gateway_base_url is empty');
      assertEqual(c.status, 'CREDENTIAL_STATUS_ACTIVE', 'credential.status');
      assertEqual(c.owner_id, owner.id, 'credential.owner_id');
      assertEqual(c.workload_id, workload.id, 'credential.workload_id');
      assertEqual(c.purpose_id, purpose.id, 'credential.purpose_id');
      assertEqual(c.provider, providerName, 'credential.provider');
      assertEqual(JSON.stringify(c.models), JSON.stringify(['gpt-4o-mini']), 'credential.models');
      assertEqual(c.labels?.flow, 'node', 'credential.labels.flow');
      assertEqual(c.labels?.step, label, 'credential.labels.step');
      const issuedAt = assertTimestamp(c.issued_at, 'credential.issued_at');
      const expiresAt = assertTimestamp(c.expires_at, 'credential.expires_at');
      const maxExpiresAt = assertTimestamp(c.max_expires_at, 'credential.max_expires_at');
      assertEqual(expiresAt - issuedAt, 600_000, 'credential lifetime expires_at - issued_at (ms)');
      assert(maxExpiresAt >= expiresAt, 'credential.max_expires_at is before expires_at');
      assertEqual(c.revoked_at, null, 'credential.revoked_at of an active credential');
      return c;
    };

    const first = await ok('IssueCredential', creds, 'IssueCredential', issueRequest('first'), workloadAuth);
    const c1 = assertIssued(first, 'first');
    log(`${c1.id} ${c1.prefix}…`);

    await rejects('IssueCredential as admin (not a workload)', 'PERMISSION_DENIED', creds, 'IssueCredential',
      issueRequest('denied'), adminAuth);
    log('PERMISSION_DENIED');

    const renewed = await ok('RenewCredential', creds, 'RenewCredential',
      { id: c1.id, ttl: { seconds: 1800, nanos: 0 } }, workloadAuth);
    const r = renewed.credential;
    assertEqual(r.id, c1.id, 'renewed credential.id');
    assertEqual(r.status, 'CREDENTIAL_STATUS_ACTIVE', 'renewed credential.status');
    const renewedAt = assertTimestamp(r.renewed_at, 'renewed credential.renewed_at');
    const renewedExpiry = assertTimestamp(r.expires_at, 'renewed credential.expires_at');
    assertEqual(renewedExpiry - renewedAt, 1_800_000, 'renewed expires_at - renewed_at (ms)');
    assert(renewedExpiry > millis(c1.expires_at), 'RenewCredential did not move expires_at later');
    assert(renewedExpiry <= millis(c1.max_expires_at), 'RenewCredential went past max_expires_at');
    assertEqual(millis(r.max_expires_at), millis(c1.max_expires_at), 'max_expires_at changed on renewal');
    assertEqual(millis(r.issued_at), millis(c1.issued_at), 'issued_at changed on renewal');
    log(`expires_at ${new Date(renewedExpiry).toISOString()}`);

    const revoked = await ok('RevokeCredential', creds, 'RevokeCredential',
      { id: c1.id, reason: 'node flow: rotating' }, workloadAuth);
    assertEqual(revoked.credential.id, c1.id, 'revoked credential.id');
    assertEqual(revoked.credential.status, 'CREDENTIAL_STATUS_REVOKED', 'revoked credential.status');
    assertEqual(revoked.credential.revocation_reason, 'node flow: rotating', 'revoked credential.revocation_reason');
    assertTimestamp(revoked.credential.revoked_at, 'revoked credential.revoked_at');
    log();

    const afterRevoke = await ok('GetCredential after RevokeCredential', creds, 'GetCredential', { id: c1.id }, workloadAuth);
    assertEqual(afterRevoke.credential.status, 'CREDENTIAL_STATUS_REVOKED', 'credential.status after revoke');
    assertEqual(afterRevoke.credential.purpose, purposeName, 'credential.purpose (name)');
    assert(!JSON.stringify(afterRevoke).includes(first.secret), 'GetCredential returned the secret');
    log();

    await rejects('RenewCredential of a revoked credential', 'FAILED_PRECONDITION', creds, 'RenewCredential',
      { id: c1.id }, workloadAuth);
    log('FAILED_PRECONDITION');

    // ---- two more, then a mass revocation by owner, as security ----------------------------
    const c2 = assertIssued(await ok('IssueCredential (second)', creds, 'IssueCredential', issueRequest('second'), workloadAuth), 'second');
    log(c2.id);
    const c3 = assertIssued(await ok('IssueCredential (third)', creds, 'IssueCredential', issueRequest('third'), workloadAuth), 'third');
    log(c3.id);
    assert(new Set([c1.id, c2.id, c3.id]).size === 3, 'IssueCredential returned a duplicate id');

    const selector = { owner_id: owner.id };

    await rejects('RevokeMatching as the workload', 'PERMISSION_DENIED', revocations, 'RevokeMatching',
      { selector, reason: 'node flow: should be denied', dry_run: true }, workloadAuth);
    log('PERMISSION_DENIED');

    const dryRun = await ok('RevokeMatching dry_run=true', revocations, 'RevokeMatching',
      { selector, reason: 'node flow: incident drill', dry_run: true }, securityAuth);
    assertEqual(dryRun.matched_count, '2', 'dry run matched_count (int64 as string)');
    assertEqual(dryRun.revocation_id, '', 'dry run revocation_id');
    assertEqual(dryRun.dry_run, true, 'dry run dry_run echo');
    log(`matched_count ${dryRun.matched_count}`);

    for (const c of [c2, c3]) {
      const read = await ok('GetCredential after the dry run', creds, 'GetCredential', { id: c.id }, securityAuth);
      assertEqual(read.credential.status, 'CREDENTIAL_STATUS_ACTIVE', `credential ${c.id} status after a dry run`);
    }
    log('still ACTIVE');

    const real = await ok('RevokeMatching', revocations, 'RevokeMatching',
      { selector, reason: 'node flow: incident', dry_run: false }, securityAuth);
    assertEqual(real.matched_count, '2', 'matched_count (int64 as string)');
    assertUuid(real.revocation_id, 'revocation_id');
    assertEqual(real.dry_run, false, 'dry_run echo');
    log(`revocation ${real.revocation_id}`);

    // Immediately after RevokeMatching returns: no waiting for the background marker.
    for (const [who, auth] of [['security', securityAuth], ['workload', workloadAuth]]) {
      for (const c of [c2, c3]) {
        const read = await ok(`GetCredential as ${who} right after RevokeMatching`, creds, 'GetCredential', { id: c.id }, auth);
        assertEqual(read.credential.id, c.id, 'credential.id');
        assertEqual(read.credential.status, 'CREDENTIAL_STATUS_REVOKED', `credential ${c.id} status seen by ${who}`);
        assertEqual(read.credential.revocation_id, real.revocation_id, `credential ${c.id} revocation_id`);
        assertTimestamp(read.credential.revoked_at, `credential ${c.id} revoked_at`);
      }
    }
    log('both REVOKED');

    const stillFirst = await ok('GetCredential of the individually revoked one', creds, 'GetCredential', { id: c1.id }, securityAuth);
    assertEqual(stillFirst.credential.status, 'CREDENTIAL_STATUS_REVOKED', 'first credential status');
    assertEqual(stillFirst.credential.revocation_reason, 'node flow: rotating', 'first credential keeps its own reason');
    log();

    const active = await ok('ListCredentials status=ACTIVE for the owner', creds, 'ListCredentials',
      { owner_id: owner.id, status: 'CREDENTIAL_STATUS_ACTIVE', page_size: 50 }, securityAuth);
    assertEqual(active.credentials.length, 0, 'active credentials of the owner after RevokeMatching');
    const all = await ok('ListCredentials for the owner', creds, 'ListCredentials',
      { owner_id: owner.id, page_size: 50 }, securityAuth);
    assertEqual(JSON.stringify(all.credentials.map((c) => c.id).sort()), JSON.stringify([c1.id, c2.id, c3.id].sort()), 'credential ids of the owner');
    assert(all.credentials.every((c) => c.status === 'CREDENTIAL_STATUS_REVOKED'), 'ListCredentials shows a credential that is not REVOKED');
    log('3 credentials, all REVOKED');
  } finally {
    admin.close();
    creds.close();
    revocations.close();
  }
}

try {
  await main();
  console.log(`PASS node client flow: ${passed} assertions`);
  process.exit(0);
} catch (error) {
  const message = error instanceof FlowError ? error.message : (error?.stack ?? String(error));
  console.error(`FAIL at step "${currentStep}": ${message}`);
  process.exit(1);
}
