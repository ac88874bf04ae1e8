import { expect, test } from '@playwright/test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ciDeploysToDev } from './journey';

/**
 * The suite's actions as an AI agent reaches them: a real MCP client over Streamable
 * HTTP against the backend's mcp-actions server, signed in as guest. No browser page.
 * Runs last (the file name sorts last): it promotes orders-api 2.5.0, a version no other
 * test ships (examples/sandbox/scenario.yaml gives it orders-api's findings, which pass
 * staging's gates, and its staging smoke test passes), and cancels what it leaves
 * awaiting approval.
 */
const BACKEND = process.env.BACKEND_URL ?? 'http://localhost:7007';
const MCP_URL = `${BACKEND}/api/mcp-actions/v1`;
const ORDERS_API = 'component:default/orders-api';
const VERSION = '2.5.0';

test.describe.configure({ mode: 'serial' });

let token: string;
let client: Client;

type Deployments = { environments: Array<{ name: string; version?: { tag: string } }> };
type Preview = { version?: { tag: string }; gates: Array<{ gate: string; passed: boolean; evidence?: string }>; blockedBy?: string };
type Promotion = { id: string; status: string; requestedBy: string; failureReason?: string; version: { tag: string } };

/** Calls a tool; its output (structuredContent), or the error text when the tool refused. */
async function call<T>(name: string, args: Record<string, unknown>): Promise<{ output?: T; error?: string }> {
  const result = await client.callTool({ name, arguments: args });
  const text = (result.content as Array<{ type: string; text?: string }>).map(c => c.text ?? '').join('\n');
  if (result.isError) return { error: text };
  return { output: (result.structuredContent ?? JSON.parse(text)) as T };
}

/** The output of a tool that must succeed. */
async function output<T>(name: string, args: Record<string, unknown>): Promise<T> {
  const { output: value, error } = await call<T>(name, args);
  expect(error, `${name} failed`).toBeUndefined();
  return value!;
}

test.beforeAll(async () => {
  const response = await fetch(`${BACKEND}/api/auth/guest/refresh`, {
    method: 'POST',
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(response.ok).toBe(true);
  token = (await response.json()).backstageIdentity.token;
  client = new Client({ name: 'gitops-e2e-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(MCP_URL), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
});

test.afterAll(async () => {
  await client?.close();
});

test('an MCP client lists the gitops tools with their hints', async () => {
  const { tools } = await client.listTools();
  const names = tools.map(tool => tool.name);
  for (const action of [
    'get-entity-deployments',
    'list-fleet',
    'list-environment-findings',
    'preview-promotion',
    'request-promotion',
    'get-promotion',
    'approve-promotion',
    'reject-promotion',
    'run-rollout-control',
    'request-rollback',
  ]) {
    expect(names).toContain(`gitops.${action}`);
  }
  const read = tools.find(tool => tool.name === 'gitops.get-entity-deployments')!;
  expect(read.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  const rollback = tools.find(tool => tool.name === 'gitops.request-rollback')!;
  expect(rollback.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
  expect(Object.keys(rollback.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['entityRef', 'environment', 'tag']));
});

test("an MCP client reads payments-api's deployments", async () => {
  const deployments = await output<Deployments & { entityRef: string }>('gitops.get-entity-deployments', {
    entityRef: 'component:default/payments-api',
  });
  expect(deployments.entityRef).toBe('component:default/payments-api');
  expect(deployments.environments.map(e => e.name)).toEqual(['dev', 'staging', 'prod']);
  // Versions change as the journey promotes: only that each environment runs one.
  for (const environment of deployments.environments) {
    expect(environment.version?.tag).toMatch(/^\d+\.\d+\.\d+$/);
  }
});

test('an MCP client promotes orders-api dev -> staging, followed to succeeded', async () => {
  test.setTimeout(360_000);
  await ciDeploysToDev('orders-api', VERSION);

  // Once dev runs 2.5.0 healthy and its evidence is in, the preview shows every gate passing.
  await expect(async () => {
    const preview = await output<Preview>('gitops.preview-promotion', { entityRef: ORDERS_API, from: 'dev', to: 'staging' });
    expect(preview.version?.tag).toBe(VERSION);
    expect(preview.blockedBy).toBeUndefined();
    expect(preview.gates.filter(gate => !gate.passed)).toEqual([]);
  }).toPass({ timeout: 120_000, intervals: [2_000] });

  const promotion = await output<Promotion>('gitops.request-promotion', {
    entityRef: ORDERS_API,
    from: 'dev',
    to: 'staging',
    comment: 'Requested by an agent over MCP',
  });
  expect(promotion).toMatchObject({ requestedBy: 'user:development/guest', version: { tag: VERSION } });

  await expect(async () => {
    const current = await output<Promotion>('gitops.get-promotion', { id: promotion.id });
    if (['failed', 'rejected', 'cancelled'].includes(current.status)) {
      throw new Error(`promotion ended ${current.status}: ${current.failureReason ?? ''}`);
    }
    expect(current.status).toBe('succeeded');
  }).toPass({ timeout: 240_000, intervals: [3_000] });

  const deployments = await output<Deployments>('gitops.get-entity-deployments', { entityRef: ORDERS_API });
  expect(deployments.environments.find(e => e.name === 'staging')?.version?.tag).toBe(VERSION);
});

test('an MCP client may not approve a promotion it requested', async () => {
  // orders-api's images are unsigned, so prod's signature gate fails: the override
  // (allowed to the guest by the allow-all policy) is recorded, and the request waits
  // for an approval from group:default/sre.
  const promotion = await output<Promotion>('gitops.request-promotion', {
    entityRef: ORDERS_API,
    from: 'staging',
    to: 'prod',
    overrideGates: true,
    comment: 'Self-approval check (cancelled by the test)',
  });
  try {
    expect(promotion.status).toBe('awaiting-approval');
    const approval = await call('gitops.approve-promotion', { id: promotion.id });
    expect(approval.error).toBe('NotAllowedError: You requested this promotion: another person must approve it');
    const rejection = await call('gitops.reject-promotion', { id: promotion.id });
    expect(rejection.error).toBe('NotAllowedError: You requested this promotion: another person must approve it');
    expect((await output<Promotion>('gitops.get-promotion', { id: promotion.id })).status).toBe('awaiting-approval');
  } finally {
    // Leave nothing awaiting approval: the requester cancels it (no action for that: REST).
    const cancelled = await fetch(`${BACKEND}/api/gitops/v1/promotions/${promotion.id}/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(cancelled.status).toBe(200);
  }
});
