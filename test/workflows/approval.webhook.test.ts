// The Approval Gate's webhook handler, called through n8n-core's real WebhookContext against a real SQLite
// database: a GET only renders, a POST with a name and a decision decides, once.
import { WebhookContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeParameters,
	IWebhookData,
	IWebhookResponseData,
} from 'n8n-workflow';

import { listApprovalRequests, listApprovals, openApprovalRequest, type ApprovalRecord, type ApprovalRequest } from '../../lib/approvals';
import { openStore } from '../../lib/store';
import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { escapeHtml } from '../../nodes/ApprovalGate/page';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { datasetMeta } from '../helpers/rows';
import { buildWorkflow, testAdditionalData } from '../helpers/workflow';

const gate = new ApprovalGate();
const TYPE = 'n8n-nodes-prodigy.approvalGate';

const request: ApprovalRequest = {
	id: 'req-1',
	versionId: 'a'.repeat(64),
	checks: [{ check: 'minAnnotations', value: 3, limit: 5, passed: false, reason: 'Annotations 3 is below the minimum 5 <b>' }],
	rulesDecision: 'rejected',
	createdAt: '2030-01-01T00:00:00.000Z',
	expiresAt: null,
	summary: { Examples: 3 },
	message: 'Please check <script>alert(1)</script>',
	executionId: 'test-execution',
};

describe('Approval Gate webhook', () => {
	let db: TestDatabase;
	let logged: string[];

	beforeEach(async () => {
		logged = [];
		db = await createTestDatabase('sqlite');
		const store = openStore(db.config);
		await store.createDataset('news');
		await openApprovalRequest(store, 'news', request);
		await openApprovalRequest(store, 'news', { ...request, id: 'req-old', expiresAt: '2020-01-01T00:00:00.000Z' });
		await store.close();
	});

	afterEach(async () => {
		await db.cleanup();
	});

	const meta = async (): Promise<IDataObject> => (await datasetMeta(db.config, 'news')) as IDataObject;

	async function call(
		method: 'GET' | 'POST',
		query: Record<string, string>,
		body: IDataObject = {},
		parameters: INodeParameters = {},
		credential: ICredentialDataDecryptedObject = { type: 'sqlite', path: (db.config as { path: string }).path },
	): Promise<{ result: IWebhookResponseData; status: number; headers: Record<string, string>; body: string }> {
		const node: INode = {
			id: 'gate-node-id',
			name: 'Gate',
			type: TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { mode: 'human', dataset: { __rl: true, mode: 'name', value: 'news' }, ...parameters },
			credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy' } },
		};
		const workflow = buildWorkflow({ nodes: [node], connections: {} }, { nodeTypes: { [TYPE]: gate } });
		const response = { status: 200, headers: {} as Record<string, string>, body: '' };
		const res = {
			status(code: number) {
				response.status = code;
				return res;
			},
			setHeader(name: string, value: string) {
				response.headers[name.toLowerCase()] = value;
			},
			end(text: string) {
				response.body = text;
			},
		};
		const additionalData = testAdditionalData({ prodigyDatabaseApi: credential });
		Object.assign(additionalData, { httpRequest: { method, query, body, headers: {}, params: {} }, httpResponse: res });
		const webhookData = { httpMethod: method, node: 'Gate', path: node.id, webhookDescription: gate.description.webhooks?.[0], workflowId: workflow.id } as unknown as IWebhookData;
		const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookData, [], null);
		// n8n's log, as the handler writes to it.
		const record = (message: string) => void logged.push(message);
		Object.defineProperty(context, 'logger', { value: { error: record, warn: record, info: record, debug: record } });
		const result = await gate.webhook.call(context);
		return { result, ...response };
	}

	const link = { dataset: 'news', request: 'req-1', signature: 'token' };

	/** One of our pages, and nothing of the server: no n8n error JSON, no stack trace, no file path. */
	function expectOwnPage(page: { result: IWebhookResponseData; headers: Record<string, string>; body: string }): void {
		expect(page.result).toEqual({ noWebhookResponse: true });
		expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(page.headers['content-security-policy']).toContain("default-src 'none'");
		expect(page.body).toMatch(/^<!DOCTYPE html>/);
		expect(page.body).not.toMatch(/stacktrace|stack|\{"code"|node_modules|\.ts:\d|\.js:\d|Error:/i);
		expect(page.body).not.toContain((db.config as { path: string }).path);
		expect(page.body).not.toMatch(/(^|[\s"'(])\/(tmp|root|home|work|usr|var)\//);
	}

	/** Marks req-1 as decided the way decideApprovalRequest records it, at a fixed time. */
	async function decideReq1(record: Partial<ApprovalRecord>): Promise<void> {
		const store = openStore(db.config);
		try {
			await store.updateMeta('news', (current) => ({
				...current,
				approvalRequests: listApprovalRequests(current).filter((pending) => pending.id !== 'req-1') as unknown as IDataObject[],
				approvals: [
					...listApprovals(current),
					{
						versionId: request.versionId,
						decision: 'approved',
						approver: 'alice@example.com',
						reasons: ['approved by a person'],
						time: '2026-12-08T10:31:42.123Z',
						mode: 'human',
						requestId: 'req-1',
						executionId: 'test-execution',
						...record,
					},
				] as unknown as IDataObject[],
			}));
		} finally {
			await store.close();
		}
	}

	it('renders the approver page on GET and changes nothing', async () => {
		const before = await meta();
		const page = await call('GET', link);
		expect(page.result).toEqual({ noWebhookResponse: true });
		expect(page.status).toBe(200);
		expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(page.headers['content-security-policy']).toContain("default-src 'none'");
		expect(page.headers['referrer-policy']).toBe('no-referrer');
		expect(page.body).toContain('news');
		expect(page.body).toContain('a'.repeat(64));
		expect(page.body).toContain(escapeHtml('Annotations 3 is below the minimum 5 <b>'));
		expect(page.body).toContain('The rules do not pass.');
		expect(page.body).toContain(escapeHtml('Please check <script>alert(1)</script>'));
		expect(page.body).not.toContain('<script>');
		expect(page.body).toMatch(/<button class="approve" type="submit" name="decision" value="approve">/);
		expect(await meta()).toEqual(before);
	});

	it('asks again, deciding nothing, when the POST lacks a name or a decision', async () => {
		const before = await meta();
		const noName = await call('POST', link, { name: '  ', comment: 'keep me', decision: 'approve' });
		expect(noName.status).toBe(400);
		expect(noName.result.workflowData).toBeUndefined();
		expect(noName.body).toContain('Please enter your name.');
		expect(noName.body).toContain('keep me');
		const noDecision = await call('POST', link, { name: 'Dana', decision: 'maybe' });
		expect(noDecision.status).toBe(400);
		expect(noDecision.body).toContain('Please choose Approve or Reject.');
		expect(noDecision.body).toContain('value="Dana"');
		expect(await meta()).toEqual(before);
	});

	it('decides on POST, resumes on the matching output, and only once', async () => {
		const approve = await call('POST', link, { name: 'Dana', comment: 'ok', decision: 'approve' });
		expect(approve.status).toBe(200);
		expect(approve.result.noWebhookResponse).toBe(true);
		expect(approve.result.workflowData).toEqual([
			[
				{
					json: {
						approval: {
							decision: 'approved',
							approved: true,
							dataset: 'news',
							versionId: 'a'.repeat(64),
							mode: 'human',
							reasons: ['approved by a person'],
							checks: request.checks,
							approver: 'Dana',
							decidedAt: expect.any(String),
							comment: 'ok',
							requestId: 'req-1',
						},
					},
					pairedItem: { item: 0 },
				},
			],
			[],
		]);
		const stored = await meta();
		// The long-expired req-old is recorded as a timeout in the same transaction.
		expect(listApprovalRequests(stored)).toEqual([]);
		expect(listApprovals(stored)).toEqual([
			expect.objectContaining({ decision: 'rejected', reasons: ['timeout'], requestId: 'req-old' }),
			expect.objectContaining({ decision: 'approved', approver: 'Dana', requestId: 'req-1', executionId: 'test-execution' }),
		]);

		const again = await call('POST', link, { name: 'Eve', decision: 'reject' });
		expect(again.status).toBe(410);
		expect(again.result.workflowData).toBeUndefined();
		expect(again.body).toContain('Already decided');
		expect(again.body).toContain('Dana');
		expect(listApprovals(await meta())).toHaveLength(2);
	});

	it('accepts a JSON body and routes a rejection to the second output, or of three with a Timed Out output', async () => {
		const reject = await call('POST', link, { name: 'Eve', decision: 'reject' }, { limitWaitTime: true, onTimeout: 'timedOutOutput' });
		expect(reject.result.workflowData?.map((output) => output.length)).toEqual([0, 1, 0]);
		expect((reject.result.workflowData?.[1][0].json.approval as IDataObject).decision).toBe('rejected');
	});

	it('answers expired, unknown and incomplete links without deciding', async () => {
		const before = await meta();
		const expired = await call('POST', { ...link, request: 'req-old' }, { name: 'Dana', decision: 'approve' });
		expect(expired.status).toBe(410);
		expect(expired.body).toContain('Approval request expired');
		expect(expired.result.workflowData).toBeUndefined();
		const unknown = await call('GET', { ...link, request: 'nope' });
		expect(unknown.status).toBe(404);
		const otherDataset = await call('GET', { ...link, dataset: 'other' });
		expect(otherDataset.status).toBe(404);
		const incomplete = await call('GET', { signature: 'token' });
		expect(incomplete.status).toBe(400);
		expect(await meta()).toEqual(before);
	});

	it("refuses to decide another execution's or another node's request, whatever the link's query says", async () => {
		const store = openStore(db.config);
		try {
			// Pending requests another execution (and another gate node) opened, in this dataset and in another one.
			await openApprovalRequest(store, 'news', { ...request, id: 'req-other-execution', executionId: '999' });
			await openApprovalRequest(store, 'news', { ...request, id: 'req-other-node', nodeId: 'another-gate' });
			await store.createDataset('payroll');
			await openApprovalRequest(store, 'payroll', { ...request, id: 'req-payroll', executionId: '999' });
		} finally {
			await store.close();
		}
		const before = await meta();
		for (const query of [
			{ ...link, request: 'req-other-execution' },
			{ ...link, request: 'req-other-node' },
			{ ...link, dataset: 'payroll', request: 'req-payroll' },
		]) {
			const shown = await call('GET', query);
			expect(shown.status).toBe(404);
			const decided = await call('POST', query, { name: 'Mallory', decision: 'approve' });
			expect(decided.status).toBe(404);
			expect(decided.body).not.toContain('Approved');
			expect(decided.result.workflowData).toBeUndefined();
		}
		expect(await meta()).toEqual(before);
		const payroll = openStore(db.config);
		try {
			const info = await payroll.getDataset('payroll');
			expect(listApprovals(info?.meta ?? {})).toEqual([]);
			expect(listApprovalRequests(info?.meta ?? {}).map((pending) => pending.id)).toEqual(['req-payroll']);
		} finally {
			await payroll.close();
		}
		// The link's own request still works.
		expect((await call('POST', link, { name: 'Dana', decision: 'approve' })).status).toBe(200);
	});

	it('shows a used link, opened or submitted again, as a page saying who decided what and when', async () => {
		await decideReq1({ comment: 'Agreement is fine for NER v3' });
		const before = await meta();
		for (const [method, body] of [
			['GET', {}],
			['POST', { name: 'Mallory', decision: 'reject' }],
		] as const) {
			const again = await call(method, link, body);
			expect(again.status).toBe(410);
			expectOwnPage(again);
			expect(again.body).toContain('<h1>Already decided</h1>');
			expect(again.body).toContain('Approved by alice@example.com on 2026-12-08 10:31 UTC');
			expect(again.body).toContain('Agreement is fine for NER v3');
			expect(again.body).not.toContain('<form');
			expect(again.body).not.toContain('Mallory');
		}
		expect(await meta()).toEqual(before);

		// A rejection without a comment says so as plainly.
		const store = openStore(db.config);
		await openApprovalRequest(store, 'news', { ...request, id: 'req-2' });
		await store.close();
		await call('POST', { ...link, request: 'req-2' }, { name: 'Eve', decision: 'reject' });
		const rejected = await call('GET', { ...link, request: 'req-2' });
		const stored = listApprovals(await meta()).find((entry) => entry.requestId === 'req-2') as ApprovalRecord;
		const minute = `${stored.time.slice(0, 10)} ${stored.time.slice(11, 16)} UTC`;
		expect(rejected.status).toBe(410);
		expectOwnPage(rejected);
		expect(rejected.body).toContain(`Rejected by Eve on ${minute}`);
		expect(rejected.body).not.toContain('Comment');
	});

	it('escapes the decider and the comment on the used-link page', async () => {
		await decideReq1({ decision: 'rejected', approver: '<img src=x onerror=alert(1)>', comment: '</div><script>alert("x")</script> & more' });
		const again = await call('GET', link);
		expectOwnPage(again);
		expect(again.body).toContain(`Rejected by ${escapeHtml('<img src=x onerror=alert(1)>')} on 2026-12-08 10:31 UTC`);
		expect(again.body).toContain(escapeHtml('</div><script>alert("x")</script> & more'));
		expect(again.body).not.toContain('<script>');
		expect(again.body).not.toContain('<img');
	});

	it('says when a request ran out of time, recorded or not yet recorded', async () => {
		const pending = await call('GET', { ...link, request: 'req-old' });
		expect(pending.status).toBe(410);
		expectOwnPage(pending);
		expect(pending.body).toContain('The time to decide on this request ran out on 2020-01-01 00:00 UTC.');
		// Deciding req-1 records req-old's timeout in the audit trail; the page then shows that record.
		await call('POST', link, { name: 'Dana', decision: 'approve' });
		const recorded = await call('POST', { ...link, request: 'req-old' }, { name: 'Dana', decision: 'approve' });
		expect(recorded.status).toBe(410);
		expectOwnPage(recorded);
		expect(recorded.body).toContain('<h1>Approval request expired</h1>');
		expect(recorded.body).toContain('Rejected on 2020-01-01 00:00 UTC: nobody decided before the request expired');
	});

	it('answers a link to no request, a tampered request or an incomplete link with a plain page', async () => {
		for (const query of [
			{ ...link, request: 'nope' },
			{ ...link, request: 'req-1<script>' },
			{ ...link, dataset: 'missing' },
		]) {
			for (const method of ['GET', 'POST'] as const) {
				const page = await call(method, query, { name: 'Dana', decision: 'approve' });
				expect(page.status).toBe(404);
				expectOwnPage(page);
				expect(page.body).toContain('<h1>Approval request not found</h1>');
				expect(page.body).toContain('Open the link exactly as you received it');
				expect(page.body).not.toContain('<script>');
			}
		}
		const incomplete = await call('GET', { signature: 'token', dataset: 'news' });
		expect(incomplete.status).toBe(400);
		expectOwnPage(incomplete);
		expect(incomplete.body).toContain('<h1>Invalid approval link</h1>');
		expect(listApprovals(await meta())).toEqual([]);
	});

	it('answers with a page, not an error n8n would render as JSON, when the database fails', async () => {
		const password = ['not', 'shown', 'anywhere'].join('-');
		// Nothing listens on port 9: the connection is refused at once.
		const unreachable = { type: 'postgres', host: '127.0.0.1', port: 9, user: 'prodigy', password, database: 'prodigy' };
		for (const method of ['GET', 'POST'] as const) {
			const page = await call(method, link, { name: 'Dana', decision: 'approve' }, {}, unreachable);
			expect(page.status).toBe(500);
			expectOwnPage(page);
			expect(page.body).toContain(method === 'GET' ? 'This approval request could not be loaded' : 'Your decision could not be recorded');
			expect(page.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres/i);
			expect(page.body).not.toContain(password);
		}
		// The cause goes to n8n's log, without the credential's secret.
		expect(logged).toHaveLength(2);
		expect(logged[0]).toContain('Approval Gate "Gate" could not answer');
		expect(logged.join('\n')).not.toContain(password);

		// A dataset meta the pack cannot read is a server-side problem too, answered the same way.
		const store = openStore(db.config);
		await store.updateMeta('news', { approvalRequests: 'not a list' });
		await store.close();
		const broken = await call('GET', link);
		expect(broken.status).toBe(500);
		expectOwnPage(broken);
		expect(broken.body).not.toContain('approvalRequests');
	});

	it('tells the slower of two approvers deciding at once who decided, with 409', async () => {
		// The two requests interleave at every await: both read the open request before either one's transaction.
		const [dana, eve] = await Promise.all([
			call('POST', link, { name: 'Dana', decision: 'approve' }),
			call('POST', link, { name: 'Eve', comment: 'too few', decision: 'reject' }),
		]);
		const [first, second] = dana.status === 200 ? [dana, eve] : [eve, dana];
		expect([first.status, second.status]).toEqual([200, 409]);
		expect(first.result.workflowData).toBeDefined();
		expectOwnPage(second);
		const [decided] = listApprovals(await meta()).filter((entry) => entry.requestId === 'req-1');
		const minute = `${decided.time.slice(0, 10)} ${decided.time.slice(11, 16)} UTC`;
		expect(second.body).toContain('<h1>Already decided</h1>');
		expect(second.body).toContain(`${decided.decision === 'approved' ? 'Approved' : 'Rejected'} by ${decided.approver} on ${minute}`);
	});
});
