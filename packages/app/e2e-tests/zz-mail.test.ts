import { expect, test } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * The suite's notifications by mail: the backend's notifications email module
 * (notifications.processors.email in app-config.yaml) sends to an SMTP server this test
 * starts on 127.0.0.1:2526. A promotion into prod waits for group:default/sre, so its
 * approval request is mailed to the group's members (Sam Rivera, sam@example.com), never
 * to the requester. Runs after the journey (the file name sorts last); it cancels the
 * promotion it leaves awaiting approval. No browser page.
 */
const BACKEND = process.env.BACKEND_URL ?? 'http://localhost:7007';
/** app.baseUrl, what the mails link to. */
const APP_BASE_URL = process.env.APP_BASE_URL ?? 'http://localhost:3000';
const SMTP_PORT = Number(process.env.GITOPS_SMTP_PORT ?? 2526);
const APPROVER_EMAIL = 'sam@example.com';
/** The guest's catalog user (user:default/guest) has this address; the requester never gets the request. */
const GUEST_EMAIL = 'guest@example.com';
/** Services whose staging version may go to prod at this point of the journey, in order of preference. */
const CANDIDATES = ['orders-api', 'payments-api'];

test.describe.configure({ mode: 'serial' });

type Mail = { to: string[]; from: string; subject: string; text: string };
type Preview = { version?: { tag: string }; previousVersion?: { tag: string }; blockedBy?: string; approverGroups: string[] };
type Promotion = { id: string; status: string; requestedBy: string; version: { tag: string } };

const mails: Mail[] = [];
let server: SMTPServer;
let token: string;

async function api<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${BACKEND}/api/gitops${route}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

test.beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(parsed => {
          mails.push({
            to: (session.envelope.rcptTo ?? []).map(r => r.address.toLowerCase()),
            from: parsed.from?.text ?? '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(SMTP_PORT, '127.0.0.1', () => resolve());
  });

  const response = await fetch(`${BACKEND}/api/auth/guest/refresh`, {
    method: 'POST',
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(response.ok).toBe(true);
  token = (await response.json()).backstageIdentity.token;
});

test.afterAll(async () => {
  await new Promise<void>(resolve => (server ? server.close(() => resolve()) : resolve()));
});

test('a promotion awaiting approval in prod is mailed to the approver group, linking to the Deployments tab', async () => {
  test.setTimeout(180_000);

  // Whichever service's staging version prod does not run yet, with nothing active there.
  let service: string | undefined;
  let tag: string | undefined;
  for (const candidate of CANDIDATES) {
    const preview = await api<Preview>('POST', '/v1/promotions/preview', {
      entityRef: `component:default/${candidate}`,
      from: 'staging',
      to: 'prod',
      overrideGates: true,
    });
    if (preview.status === 200 && !preview.body.blockedBy && preview.body.version) {
      expect(preview.body.approverGroups).toContain('group:default/sre');
      service = candidate;
      tag = preview.body.version.tag;
      break;
    }
  }
  expect(service, `none of ${CANDIDATES.join(', ')} can be promoted staging -> prod`).toBeDefined();
  const entityRef = `component:default/${service}`;
  const link = `${APP_BASE_URL}/catalog/default/component/${service}/deployments`;

  // Unsigned images fail prod's signature gate: the override (allowed to the guest by the
  // allow-all policy) is recorded, and the promotion waits for an approval from sre.
  const created = await api<Promotion>('POST', '/v1/promotions', {
    entityRef,
    from: 'staging',
    to: 'prod',
    overrideGates: true,
    comment: 'Mail check (cancelled by the test)',
  });
  expect(created.status).toBe(201);
  const promotion = created.body;
  try {
    expect(promotion).toMatchObject({ status: 'awaiting-approval', version: { tag } });

    const isApproval = (mail: Mail) => mail.subject.includes(`Approve ${service} ${tag} to prod`);
    // The processor sends in the background, throttled: poll, never sleep blindly.
    await expect
      .poll(() => mails.filter(isApproval).flatMap(mail => mail.to), {
        timeout: 60_000,
        intervals: [500, 1_000, 2_000],
        message: `an approval mail for ${service} ${tag} to ${APPROVER_EMAIL}`,
      })
      .toContain(APPROVER_EMAIL);

    const mail = mails.find(m => isApproval(m) && m.to.includes(APPROVER_EMAIL))!;
    expect(mail.from).toContain('backstage@example.com');
    expect(mail.text).toContain(`${entityRef} ${tag} from staging to prod`);
    expect(mail.text).toContain(promotion.requestedBy);
    // The absolute link to the entity's Deployments tab (app.baseUrl + the payload's link).
    expect(mail.text).toContain(link);

    // Never to the requester (the guest), nor to anybody outside the approver group.
    const recipients = mails.filter(isApproval).flatMap(m => m.to);
    expect(recipients).not.toContain(GUEST_EMAIL);
    expect(new Set(recipients)).toEqual(new Set([APPROVER_EMAIL]));
  } finally {
    // Leave nothing awaiting approval for the tests after this one.
    const cancelled = await api<Promotion>('POST', `/v1/promotions/${promotion.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
  }
});
