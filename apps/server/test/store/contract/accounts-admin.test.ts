import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterUnderTest } from './adapters.ts';
import { charge, newUser, now } from './fixtures.ts';

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

/** The account layer, the outbox, the video library and the console, on both adapters. */
describe.each(ADAPTERS)('store contract (%s): accounts, outbox, library, console', (_n, open) => {
  let a: AdapterUnderTest;
  beforeAll(async () => {
    a = await open();
  });
  afterAll(async () => a?.close());

  it('signup with a bonus once per mailbox, verification token, mail queued and sent once', async () => {
    const mailbox = randomUUID();
    const account = (id: string) => ({
      id,
      email: `${id}@example.com`,
      name: 'A',
      passwordHash: 'x',
      signupBonus: 10,
      bonusMailboxHash: mailbox,
      now: now(),
      verification: {
        tokenHash: `tok-${id}`,
        purpose: 'verify_email' as const,
        email: `${id}@example.com`,
        expiresAt: later(3_600_000),
      },
      mail: [
        {
          userId: id,
          to: null,
          template: 'verify_email' as const,
          params: { link: `https://x/${id}` },
        },
      ],
    });
    const first = await a.store.createAccount(account(randomUUID()));
    const second = await a.store.createAccount(account(randomUUID()));
    if (first === 'email_taken' || second === 'email_taken') throw new Error('taken');
    expect([first.bonusGranted, second.bonusGranted]).toEqual([true, false]);
    const verified = await a.store.useVerificationToken({
      tokenHash: `tok-${first.user.id}`,
      now: now(),
    });
    expect(verified.kind).toBe('ok');
    expect(
      (await a.store.useVerificationToken({ tokenHash: `tok-${first.user.id}`, now: now() })).kind,
    ).toBe('invalid');
    const claimed = [];
    for (;;) {
      const m = await a.store.claimMail({ now: later(1000), leaseUntil: later(60_000) });
      if (!m) break;
      claimed.push(m);
      await a.store.markMailSent({ id: m.id, now: now() });
    }
    expect(claimed.map((m) => m.to).sort()).toEqual([first.user.email, second.user.email].sort());
    expect(await a.store.pruneFinishedMail({ createdBefore: later(10_000), limit: 100 })).toBe(2);
  });

  it('password reset revokes sessions; account deletion forfeits credits and cancels videos', async () => {
    const id = await newUser(a.store, 0);
    await a.data.grantCredits({ userId: id, amount: 20 });
    const user = (await a.store.findUserById({ id }))!;
    await a.store.createSession({
      id: `${id}-s`,
      userId: id,
      createdAt: now(),
      expiresAt: later(60_000),
    });
    expect(
      await a.store.requestPasswordReset({
        email: user.email,
        token: { tokenHash: `reset-${id}`, purpose: 'reset_password', expiresAt: later(60_000) },
        now: now(),
        mail: () => [],
      }),
    ).toBe(true);
    const reset = await a.store.useResetToken({
      tokenHash: `reset-${id}`,
      userId: id,
      passwordHash: 'y',
      now: now(),
    });
    expect(reset.kind).toBe('ok');
    expect(await a.store.isSessionActive({ sessionId: `${id}-s`, userId: id })).toBe(false);
    const created = await a.store.chargeAndCreateVideo(charge(id, 5));
    expect(created.kind).toBe('created');
    const deleted = await a.store.deleteAccount({ userId: id, now: now() });
    expect(deleted).toMatchObject({ forfeited: 20 });
    expect(deleted!.activeVideoIds).toHaveLength(1);
    expect((await a.store.getBalance({ userId: id }))!.creditBalance).toBe(0);
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it('video library: list, search, delete a finished video, spend summary', async () => {
    const id = await newUser(a.store);
    await a.data.grantCredits({ userId: id, amount: 50 });
    const v1 = await a.store.chargeAndCreateVideo({
      ...charge(id, 5),
      video: { ...charge(id, 5).video, prompt: 'A paper boat in the rain' },
    });
    const v2 = await a.store.chargeAndCreateVideo(charge(id, 8));
    if (v1.kind !== 'created' || v2.kind !== 'created') throw new Error('not created');
    const found = await a.store.listVideos({
      userId: id,
      filter: { q: 'BOAT rain' },
      page: { limit: 10, offset: 0 },
    });
    expect(found.rows.map((v) => v.id)).toEqual([v1.video.id]);
    expect(await a.store.deleteVideo({ id: v1.video.id, userId: id, now: now() })).toEqual({
      kind: 'active',
    });
    await a.store.finishVideo({
      id: v1.video.id,
      finish: { status: 'completed', filePath: '/v1.mp4' },
      now: now(),
    });
    expect(await a.store.deleteVideo({ id: v1.video.id, userId: id, now: now() })).toEqual({
      kind: 'deleted',
      filePath: '/v1.mp4',
    });
    expect(
      (await a.store.listVideos({ userId: id, filter: {}, page: { limit: 10, offset: 0 } })).total,
    ).toBe(1);
    const prompts = await a.store.videoPrompts({ userId: id, ids: [v1.video.id, v2.video.id] });
    expect(prompts.get(v1.video.id)).toBeNull();
    const summary = await a.store.spendSummary({
      userId: id,
      from: new Date(Date.now() - 86_400_000).toISOString(),
      tzOffsetMinutes: 60,
    });
    expect(summary.usage).toEqual([
      {
        resolution: '720p',
        credits: 13,
        videos: 2,
        customMusic: 0,
        premiumTTS: 0,
        aiEnhancement: 0,
      },
    ]);
    expect(summary.daily.reduce((s, d) => s + d.amount, 0)).toBe(50 - 13);
  });

  it('console: grant with its audit entry, refused debit, approvals, video actions, overview', async () => {
    const staff = await newUser(a.store);
    const other = await newUser(a.store);
    const customer = await newUser(a.store);
    const actor = { id: staff, role: 'admin' as const, requestId: null };
    const adjustment = {
      action: 'grant_credits' as const,
      userId: customer,
      amount: 7,
      entryType: 'adjustment' as const,
      description: 'Goodwill',
      reason: 'goodwill' as const,
      note: 'contract',
    };
    const granted = await a.store.admin.adjustCredits({ actor, adjustment, now: now() });
    expect(granted).toMatchObject({ kind: 'applied', balance: 7 });
    expect(
      await a.store.admin.adjustCredits({
        actor,
        adjustment: {
          ...adjustment,
          action: 'debit_credits',
          amount: -100,
          description: 'Correction',
          reason: 'correction',
        },
        now: now(),
      }),
    ).toEqual({ kind: 'insufficient', balance: 7 });
    const approvalId = randomUUID();
    await a.store.admin.requestApproval({
      id: approvalId,
      action: 'grant_credits',
      targetUserId: customer,
      paymentId: null,
      amount: 3,
      reason: 'goodwill',
      note: 'big',
      actor,
      now: now(),
    });
    expect(
      await a.store.admin.decideApproval({
        id: approvalId,
        approve: true,
        note: 'self',
        actor,
        now: now(),
        adjust: () => ({ ...adjustment, amount: 3 }),
      }),
    ).toEqual({ kind: 'own_request' });
    const decided = await a.store.admin.decideApproval({
      id: approvalId,
      approve: true,
      note: 'ok',
      actor: { ...actor, id: other },
      now: now(),
      adjust: () => ({ ...adjustment, amount: 3 }),
    });
    expect(decided).toMatchObject({ kind: 'decided', balance: 10 });
    const created = await a.store.chargeAndCreateVideo(charge(customer, 5));
    if (created.kind !== 'created') throw new Error(created.kind);
    const failed = await a.store.admin.failVideo({
      videoId: created.video.id,
      error: 'stuck',
      reason: 'job_refund',
      note: 'stuck',
      actor,
      now: now(),
    });
    expect(failed).toMatchObject({ kind: 'done', balance: 10 });
    const audit = await a.store.admin.listAudit({ targetUserId: customer, limit: 20 });
    expect(audit.map((e) => e.action).sort()).toEqual(
      [
        'approval_approved',
        'approval_requested',
        'fail_video',
        'grant_credits',
        'grant_credits',
      ].sort(),
    );
    // The audit log is append-only for the server's own connection, in both databases.
    expect(await a.data.tamperAuditLog()).toBeInstanceOf(Error);
    const overview = await a.store.admin.overview({
      since: new Date(Date.now() - 86_400_000).toISOString(),
    });
    expect(overview.days.length).toBeGreaterThan(0);
    expect(
      (await a.store.admin.searchUsers({ query: customer, limit: 5 })).map((u) => u.id),
    ).toEqual([customer]);
    expect(await a.store.verifyInvariants()).toEqual([]);
  });

  it('console requeue: the video goes back to the queue without its lease, and that lease can no longer finish it', async () => {
    const staff = await newUser(a.store);
    const customer = await newUser(a.store);
    await a.data.grantCredits({ userId: customer, amount: 10 });
    const created = await a.store.chargeAndCreateVideo(charge(customer, 5));
    if (created.kind !== 'created') throw new Error(created.kind);
    const claimInput = { owner: 'stuck', leaseMs: 60_000, now: now(), maxRunningPerUser: 5 };
    let claimed;
    do claimed = await a.store.claimVideo(claimInput);
    while (claimed && claimed.id !== created.video.id);
    expect(claimed).toMatchObject({ status: 'processing', attempts: 1 });
    const requeued = await a.store.admin.requeueVideo({
      videoId: created.video.id,
      actor: { id: staff, role: 'admin', requestId: null },
      reason: 'job_refund',
      note: 'Result never recorded',
      now: now(),
    });
    expect(requeued).toMatchObject({ kind: 'done', video: { status: 'queued', progress: 0 } });
    const [row] = await a.data.rows({
      table: 'video_generations',
      where: { id: created.video.id },
      columns: ['status', 'lease_owner', 'lease_until'],
    });
    expect(row).toEqual({ status: 'queued', lease_owner: null, lease_until: null });
    const stale = await a.store.finishVideo({
      id: created.video.id,
      finish: { status: 'completed', filePath: '/stuck.mp4' },
      now: now(),
      lease: { owner: 'stuck', attempt: 1 },
    });
    expect(stale).toMatchObject({ changed: false, video: { status: 'queued' } });
  });
});
