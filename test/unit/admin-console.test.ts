/** The admin console's pure parts: auth decisions, the words for states, CSV, uploads. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  ADMINS_GROUP,
  ForbiddenError,
  hashPassword,
  issueSession,
  newLocalCredential,
  requireAdmin,
  signInLocal,
  UnauthenticatedError,
  verifyPassword,
  verifySession,
} from '../../functions/admin/auth.ts';
import { parseMultipart } from '../../functions/admin/multipart.ts';
import { attentionList, buildRows, matches } from '../../functions/admin/view-model.ts';
import type { Nomination } from '../../functions/domain/types.ts';
import { failedStep, roundCsv } from '../../functions/use-cases/admin-actions.ts';
import { liperiRound } from '../fixtures/liperi.ts';

const NOW = new Date('2026-11-27T10:00:00Z');

function event(headers: Record<string, string>, claims?: Record<string, unknown>): APIGatewayProxyEventV2 {
  return {
    headers,
    requestContext: { http: { method: 'GET' }, ...(claims && { authorizer: { jwt: { claims } } }) },
  } as unknown as APIGatewayProxyEventV2;
}

describe('admin auth', () => {
  it('accepts the right password only, and stores no password', () => {
    const stored = hashPassword('oikea salasana');
    expect(stored).not.toContain('oikea');
    expect(verifyPassword('oikea salasana', stored)).toBe(true);
    expect(verifyPassword('väärä', stored)).toBe(false);
  });

  it('issues an admin session for the local credential, refuses anything else', () => {
    const { credential, password } = newLocalCredential();
    expect(signInLocal(credential, 'admin', 'wrong', NOW)).toBeUndefined();
    expect(signInLocal(credential, 'someone', password, NOW)).toBeUndefined();
    const token = signInLocal(credential, 'Admin', password, NOW) ?? '';
    expect(verifySession(credential.sessionSecret, token, NOW)?.groups).toEqual([ADMINS_GROUP]);
  });

  it('refuses a tampered, foreign or expired session', () => {
    const { credential } = newLocalCredential();
    const token = issueSession(credential.sessionSecret, { id: 'a', name: 'a', groups: [] }, NOW);
    const [payload, signature] = token.split('.');
    const elevated = Buffer.from(JSON.stringify({ sub: 'a', groups: [ADMINS_GROUP], exp: 9e9 })).toString(
      'base64url',
    );
    expect(verifySession(credential.sessionSecret, `${elevated}.${signature}`, NOW)).toBeUndefined();
    expect(verifySession('another secret', token, NOW)).toBeUndefined();
    expect(
      verifySession(credential.sessionSecret, token, new Date(NOW.getTime() + 11 * 3600_000)),
    ).toBeUndefined();
    expect(verifySession(credential.sessionSecret, `${payload}.${signature}`, NOW)?.id).toBe('a');
  });

  it('says 401 without a principal and 403 without the admins group, locally and with Cognito claims', () => {
    const { credential } = newLocalCredential();
    const local = { mode: 'local' as const, credential };
    const viewer = issueSession(credential.sessionSecret, { id: 'v', name: 'v', groups: [] }, NOW);
    expect(() => requireAdmin(event({}), local, NOW)).toThrow(UnauthenticatedError);
    expect(() => requireAdmin(event({ cookie: `nimitys_admin=${viewer}` }), local, NOW)).toThrow(
      ForbiddenError,
    );

    const cognito = { mode: 'cognito' as const };
    expect(() => requireAdmin(event({}), cognito, NOW)).toThrow(UnauthenticatedError);
    expect(() => requireAdmin(event({}, { sub: 'u1', 'cognito:groups': '[viewers]' }), cognito, NOW)).toThrow(
      ForbiddenError,
    );
    const admin = requireAdmin(
      event({}, { sub: 'u1', 'cognito:username': 'maija', 'cognito:groups': '[viewers admins]' }),
      cognito,
      NOW,
    );
    expect(admin.name).toBe('maija');
  });
});

function nomination(
  municipalityId: string,
  status: Nomination['status'],
  extra: Partial<Nomination> = {},
): Nomination {
  return {
    roundId: 'r',
    municipalityId,
    groupId: 'keski-karjala',
    status,
    updatedAt: NOW.toISOString(),
    version: 1,
    ...extra,
  };
}

describe('the round view’s words', () => {
  const round = liperiRound();

  it('says whom a nomination waits on and since when', () => {
    const [row] = buildRows(
      round,
      [nomination('liperi', 'awaiting_approval')],
      [
        {
          roundId: 'r',
          municipalityId: 'liperi',
          step: 'approval',
          taskToken: 't',
          linkTokenHash: 'h',
          openedAt: '2026-11-20T08:00:00Z',
        },
      ],
      NOW,
    );
    expect(row?.stateText).toMatch(/^Odottaa hyväksyntää esittelijältä .+ 20\.11\.2026 klo 10\.00 alkaen$/);
    expect(row?.waitingSince).toBe('2026-11-20T08:00:00Z');
  });

  it('puts failures first, then bounced mails, overdue answers and no answers', () => {
    const late = { ...round, deadline: '2026-11-01' };
    const ids = late.municipalities.map((m) => m.id);
    const rows = buildRows(
      late,
      [
        nomination(ids[0] as string, 'no_answer'),
        nomination(ids[0] as string, 'awaiting_proposal'),
        nomination(ids[0] as string, 'failed'),
      ],
      [],
      NOW,
      [],
    );
    expect(attentionList(rows).map((r) => r.attention)).toEqual(['failed', 'overdue', 'no_answer']);
  });

  it('finds a nomination by a nominee’s e-mail or the decision’s section', () => {
    const person = { name: 'Sami Kuikka', title: 'x', email: 'sami.kuikka@liperi.example' };
    const [row] = buildRows(
      round,
      [
        nomination('liperi', 'completed', {
          decision: {
            outcome: 'adopted',
            meetingDate: '2023-06-12',
            section: '87',
            text: 't',
            nominees: [person],
            decidedAt: NOW.toISOString(),
            recordedBy: 'x',
          },
        }),
      ],
      [],
      NOW,
    );
    if (!row) throw new Error('no row');
    expect(matches(row, 'SAMI.KUIKKA@')).toBe(true);
    expect(matches(row, '§ 87')).toBe(true);
    expect(matches(row, 'joensuu')).toBe(false);
  });
});

describe('CSV export', () => {
  it('quotes what needs quoting and never lets a cell run as a formula', () => {
    const csv = roundCsv([
      {
        roundId: 'r',
        groupName: 'Ryhmä; yksi',
        municipalityName: '=HYPERLINK("x")',
        statusLabel: 'Valmis',
        stateText: 'ok',
        deadline: '2026-12-01',
        nomination: nomination('liperi', 'completed'),
        preparer: { name: '@pelle', email: 'p@x.example' },
        presenter: { name: 'E' },
        bodyName: 'Lautakunta',
      },
    ]);
    expect(csv.startsWith('\ufeffKierros;')).toBe(true);
    expect(csv).toContain(`"Ryhmä; yksi"`);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain(`;'@pelle;`);
  });
});

describe('retry', () => {
  it('resumes at the last step entered before the failure handler', () => {
    const entered = (state: string) => ({ type: 'TaskStateEntered', state });
    expect(
      failedStep([
        entered('RequestProposal'),
        entered('PlanApprovalWait'),
        entered('RequestDecision'),
        entered('SendExcerpts'),
        entered('RecordFailure'),
      ]),
    ).toBe('excerpts');
    expect(failedStep([entered('PlanApprovalWait'), entered('RecordFailure'), entered('SendExcerpts')])).toBe(
      'approval',
    );
    expect(failedStep([{ type: 'ExecutionStarted' }])).toBe('proposal');
    expect(failedStep([entered('ResumeAt'), entered('SendCorrection'), entered('RecordFailure')])).toBe(
      'correction',
    );
  });
});

describe('upload', () => {
  it('reads a file and fields from multipart/form-data', () => {
    const body = Buffer.from(
      [
        '--B',
        'Content-Disposition: form-data; name="csrf"',
        '',
        'abc',
        '--B',
        'Content-Disposition: form-data; name="file"; filename="k.yaml"',
        'Content-Type: text/yaml',
        '',
        'id: x\nname: ä',
        '--B--',
        '',
      ].join('\r\n'),
    );
    const parts = parseMultipart(body, 'B');
    expect(parts.map((p) => [p.name, p.filename, p.content.toString('utf8')])).toEqual([
      ['csrf', undefined, 'abc'],
      ['file', 'k.yaml', 'id: x\nname: ä'],
    ]);
  });
});
