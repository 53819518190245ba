// The approver's link of a published workflow: the gate's own status webhook, which n8n registers while the workflow
// is published and which keeps answering after the execution has gone on (n8n's waiting-webhook server then answers
// the resume URL itself, with a 409 JSON body). Runs through n8n-core's real WorkflowExecute and WebhookContext, the
// webhook descriptions evaluated the way n8n's WebhookService evaluates them, against a real SQLite database.
import { ExecutionLifecycleHooks, WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IRunExecutionData,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowBase,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers } from 'n8n-workflow';

import { findApprovalRequest, listApprovals, linkTokenHash, openApprovalRequest } from '../../lib/approvals';
import { openStore } from '../../lib/store';
import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { STATUS_WEBHOOK } from '../../nodes/ApprovalGate/description';
import { escapeHtml } from '../../nodes/ApprovalGate/page';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { datasetMeta } from '../helpers/rows';
import { buildWorkflow, chain, testAdditionalData, type TestWorkflow } from '../helpers/workflow';

const TYPE = 'n8n-nodes-prodigy.approvalGate';
const gate = new ApprovalGate();
const nodeTypes = { [TYPE]: gate };
const byName = (value: string) => ({ __rl: true, mode: 'name', value });
// Stands in for the random token n8n generates per execution (not a secret of any system).
const RESUME_TOKEN = ['resume', 'token', '456'].join('-');
const WEBHOOK_ID = '8f0c3c52-2a8e-4f4e-9d7b-3c1e0b6a9d11';
const STATUS_URL = `http://localhost:5678/webhook/${WEBHOOK_ID}/approval`;
const RESUME_URL = 'http://localhost:5678/webhook-waiting/test-execution/gate-node-id';

const webhookDescriptions = gate.description.webhooks as IWebhookDescription[];
const statusDescription = webhookDescriptions.find((webhook) => webhook.name === STATUS_WEBHOOK) as IWebhookDescription;
const resumeDescription = webhookDescriptions[0];

type Response = { status: number; headers: Record<string, string>; body: string };

/** One of our pages, and nothing of the server: no n8n error JSON, no stack trace, no file path. */
function expectOwnPage(page: Response, path: string): void {
	expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
	expect(page.headers['content-security-policy']).toContain("default-src 'none'");
	expect(page.body).toMatch(/^<!DOCTYPE html>/);
	expect(page.body).not.toMatch(/stacktrace|stack|\{"code"|node_modules|\.ts:\d|\.js:\d|Error:/i);
	expect(page.body).not.toContain(path);
}

/** "2026-12-08 10:31 UTC" for an ISO time: the minute the pages show. */
function minute(iso: string): string {
	return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

describe('Approval Gate: the approver link of a published workflow', () => {
	let db: TestDatabase;
	let credentials: Record<string, ICredentialDataDecryptedObject>;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		credentials = { prodigyDatabaseApi: { type: 'sqlite', path: (db.config as { path: string }).path } };
		const store = openStore(db.config);
		await store.addExamples('news', [
			{ text: 'p', answer: 'accept', _annotator_id: 'news-alex' },
			{ text: 'p', answer: 'accept', _annotator_id: 'news-sam' },
		]);
		await store.close();
	});

	afterEach(async () => {
		await db.cleanup();
	});

	const dbPath = () => (db.config as { path: string }).path;
	const meta = async (): Promise<IDataObject> => (await datasetMeta(db.config, 'news')) as IDataObject;

	const humanParameters: INodeParameters = {
		mode: 'human',
		dataset: byName('news'),
		rules: { minAnnotations: 1 },
		message: 'Ship it?',
		limitWaitTime: true,
		waitAmount: 2,
		waitUnit: 'hours',
	};

	function gateWorkflow(node: Partial<INode> = {}, parameters: INodeParameters = humanParameters): TestWorkflow {
		const workflow = chain(
			[
				{
					name: 'Gate',
					type: TYPE,
					parameters,
					credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy' } },
					id: 'gate-node-id',
					webhookId: WEBHOOK_ID,
					...node,
				},
			],
			{ items: [{ start: 1 }] },
		);
		const gateName = node.name ?? 'Gate';
		workflow.nodes.push(
			{ id: 'a', name: 'On Approved', type: 'test.passThrough', typeVersion: 1, position: [800, 0], parameters: {} },
			{ id: 'r', name: 'On Rejected', type: 'test.passThrough', typeVersion: 1, position: [800, 200], parameters: {} },
		);
		workflow.connections[gateName] = {
			main: [[{ node: 'On Approved', type: 'main', index: 0 }], [{ node: 'On Rejected', type: 'main', index: 0 }]],
		};
		return workflow;
	}

	/** The workflow as n8n builds it: active when it runs (or registers webhooks) as the published version. */
	function setup(definition: TestWorkflow, { published = true, mode = 'trigger' as WorkflowExecuteMode } = {}) {
		const workflow = buildWorkflow(definition, { nodeTypes });
		workflow.active = published;
		const workflowData = { ...definition, id: 'test-workflow', active: published } as unknown as IWorkflowBase;
		const additionalData = () => testAdditionalData(credentials, new ExecutionLifecycleHooks(mode, 'test-execution', workflowData));
		return { workflow, additionalData, mode };
	}

	async function start({ workflow, additionalData, mode }: ReturnType<typeof setup>): Promise<IRun> {
		const trigger = workflow.getStartNode();
		if (!trigger) throw new Error('no trigger');
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: trigger, data: { main: [[{ json: {} }]] }, source: null }] },
			resumeToken: RESUME_TOKEN,
		});
		return await new WorkflowExecute(additionalData(), mode, runExecutionData).processRunExecutionData(workflow);
	}

	function approverLink(run: IRun, gateName = 'Gate'): string {
		const message = run.data.resultData.runData[gateName][0].hints?.[0]?.message ?? '';
		return /Approver link: (\S+)$/.exec(message)?.[1] ?? '';
	}

	/**
	 * A request to one of the gate's webhooks through n8n-core's WebhookContext: the status link as n8n's live-webhook
	 * server calls it (no execution), or the resume URL as its waiting-webhook server does (with the stored execution).
	 */
	async function call(
		{ workflow, additionalData }: ReturnType<typeof setup>,
		url: string,
		{ method = 'GET', body = {}, execution = null, credential }: { method?: 'GET' | 'POST'; body?: IDataObject; execution?: IRunExecutionData | null; credential?: ICredentialDataDecryptedObject } = {},
	): Promise<Response & { result: IWebhookResponseData }> {
		const parsed = new URL(url);
		const response: Response = { status: 200, headers: {}, body: '' };
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
		const data = credential ? testAdditionalData({ prodigyDatabaseApi: credential }) : additionalData();
		Object.assign(data, { httpRequest: { method, query: Object.fromEntries(parsed.searchParams), body, headers: {}, params: {} }, httpResponse: res });
		const node = workflow.getNode('Gate') as INode;
		const onStatusLink = parsed.pathname.includes('/webhook/');
		const webhookData = {
			httpMethod: method,
			node: node.name,
			path: onStatusLink ? `${WEBHOOK_ID}/approval` : node.id,
			webhookDescription: onStatusLink ? statusDescription : resumeDescription,
			workflowId: workflow.id,
		} as unknown as IWebhookData;
		const context = new WebhookContext(workflow, node, data, onStatusLink ? 'webhook' : 'trigger', webhookData, [], execution);
		const record = () => undefined;
		Object.defineProperty(context, 'logger', { value: { error: record, warn: record, info: record, debug: record } });
		const result = await gate.webhook.call(context);
		return { result, ...response };
	}

	/** n8n's resume after a webhook decision (waiting-webhooks + webhook-helpers): disable the node, feed it the decision. */
	async function resume({ workflow, additionalData, mode }: ReturnType<typeof setup>, execution: IRunExecutionData, workflowData: INodeExecutionData[][]) {
		const entry = execution.executionData!.nodeExecutionStack[0];
		entry.node.disabled = true;
		entry.data.main = workflowData;
		entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
		execution.waitTill = undefined;
		execution.resultData.runData[execution.resultData.lastNodeExecuted as string].pop();
		return await new WorkflowExecute(additionalData(), mode, execution).processRunExecutionData(workflow);
	}

	/** The status webhook n8n would register for this workflow: [method, path] pairs, as WebhookService.getNodeWebhooks builds them. */
	function registeredStatusWebhooks(workflow: Workflow, nodeName = 'Gate'): Array<[string, string]> {
		const node = workflow.getNode(nodeName) as INode;
		const methods = String(workflow.expression.getSimpleParameterValue(node, statusDescription.httpMethod, 'internal', {}, undefined, 'GET'));
		const path = NodeHelpers.getNodeWebhookPath(workflow.id, node, statusDescription.path, statusDescription.isFullPath, statusDescription.restartWebhook);
		return methods
			.split(',')
			.filter((method) => method !== '')
			.map((method) => [method.trim(), path]);
	}

	it('is a webhook n8n registers only for Human Approval in a published workflow, at the node webhookId path', () => {
		expect(statusDescription).toMatchObject({ restartWebhook: false, responseMode: 'onReceived', ndvHideUrl: true });
		// The resume webhooks stay first (n8n's waiting-webhook server looks for restart webhooks only).
		expect(webhookDescriptions.slice(0, 2).map((webhook) => [webhook.httpMethod, webhook.restartWebhook])).toEqual([
			['GET', true],
			['POST', true],
		]);
		expect(registeredStatusWebhooks(setup(gateWorkflow()).workflow)).toEqual([['GET', `${WEBHOOK_ID}/approval`]]);
		// A manual run (n8n builds the workflow inactive for test webhooks) registers nothing to wait for.
		expect(registeredStatusWebhooks(setup(gateWorkflow(), { published: false }).workflow)).toEqual([]);
		// Rules mode has nothing to show on a page.
		expect(registeredStatusWebhooks(setup(gateWorkflow({}, { mode: 'rules', dataset: byName('news') })).workflow)).toEqual([]);
		expect(registeredStatusWebhooks(setup(gateWorkflow({}, { dataset: byName('news') })).workflow)).toEqual([]);
		// Without a webhookId n8n puts the workflow id and the node's name in the path.
		expect(registeredStatusWebhooks(setup(gateWorkflow({ webhookId: undefined })).workflow)).toEqual([['GET', 'test-workflow/gate/approval']]);
	});

	it("sends the status link, keeps n8n's resume token out of the dataset meta, and shows the form that resumes the execution", async () => {
		const flow = setup(gateWorkflow());
		const run = await start(flow);
		expect(run.status).toBe('waiting');
		const link = new URL(approverLink(run));
		expect(link.origin + link.pathname).toBe(STATUS_URL);
		expect(link.searchParams.get('dataset')).toBe('news');
		expect(link.searchParams.get('token')).toBe(RESUME_TOKEN);
		const requestId = link.searchParams.get('request') as string;

		const request = findApprovalRequest(await meta(), requestId);
		expect(request).toMatchObject({
			nodeId: 'gate-node-id',
			executionId: 'test-execution',
			statusUrl: `${STATUS_URL}?dataset=news&request=${requestId}`,
			resumeUrl: `${RESUME_URL}?dataset=news&request=${requestId}`,
			tokenHash: linkTokenHash(RESUME_TOKEN),
		});
		expect(JSON.stringify(await meta())).not.toContain(RESUME_TOKEN);

		const before = await meta();
		const page = await call(flow, link.href);
		expect(page.status).toBe(200);
		expect(page.result).toEqual({ noWebhookResponse: true });
		expectOwnPage(page, dbPath());
		expect(page.body).toContain('Approve dataset “news”?');
		expect(page.body).toContain('Ship it?');
		const action = /<form method="post" action="([^"]*)">/.exec(page.body)?.[1] ?? '';
		expect(action.replace(/&amp;/g, '&')).toBe(`${RESUME_URL}?dataset=news&request=${requestId}&signature=${RESUME_TOKEN}`);
		expect(await meta()).toEqual(before);
	});

	it('sends the status link from a queue-mode worker too, which builds the workflow inactive from the execution', async () => {
		// n8n's job processor rebuilds the workflow from the execution's snapshot, which keeps no active flag.
		const run = await start(setup(gateWorkflow(), { published: false, mode: 'webhook' }));
		expect(run.status).toBe('waiting');
		const link = new URL(approverLink(run));
		expect(link.origin + link.pathname).toBe(STATUS_URL);
		expect(link.searchParams.get('token')).toBe(RESUME_TOKEN);
	});

	it('after the decision, the same link shows who decided what and when, whatever became of the execution', async () => {
		const flow = setup(gateWorkflow());
		const run = await start(flow);
		const link = approverLink(run);
		const execution = JSON.parse(JSON.stringify(run.data)) as IRunExecutionData;
		const form = await call(flow, link);
		const action = (/<form method="post" action="([^"]*)">/.exec(form.body)?.[1] ?? '').replace(/&amp;/g, '&');

		// The form posts to the resume URL (n8n's waiting-webhook server checks the signature, then calls the gate).
		const post = await call(flow, action, { method: 'POST', body: { name: 'alice@example.com', comment: 'Agreement is fine', decision: 'approve' }, execution });
		// Post/redirect/get: the approver's browser ends on the status link, which keeps answering.
		expect(post.status).toBe(303);
		expect(post.headers.location).toBe(link);
		expect(post.body).toContain('Your decision has been recorded');
		const resumed = await resume(flow, execution, post.result.workflowData as INodeExecutionData[][]);
		expect(resumed.status).toBe('success');
		expect(resumed.data.resultData.runData['On Approved'][0].data?.main[0]?.[0].json.approval).toMatchObject({ approver: 'alice@example.com' });

		const [decided] = listApprovals(await meta()).filter((entry) => entry.mode === 'human');
		for (const url of [link, post.headers.location]) {
			const again = await call(flow, url);
			expect(again.status).toBe(200);
			expectOwnPage(again, dbPath());
			expect(again.body).toContain('<h1>Approved</h1>');
			expect(again.body).toContain(`Approved by alice@example.com on ${minute(decided.time)}`);
			expect(again.body).toContain('Agreement is fine');
			expect(again.body).not.toContain('<form');
		}
		// The decision is what the dataset's audit trail says: a link naming the request shows it without the token.
		const withoutToken = new URL(link);
		withoutToken.searchParams.delete('token');
		expect((await call(flow, withoutToken.href)).body).toContain(`Approved by alice@example.com on ${minute(decided.time)}`);
	});

	it('says so, escaped, when the approver rejected', async () => {
		const flow = setup(gateWorkflow());
		const run = await start(flow);
		const link = approverLink(run);
		const execution = JSON.parse(JSON.stringify(run.data)) as IRunExecutionData;
		const action = (/<form method="post" action="([^"]*)">/.exec((await call(flow, link)).body)?.[1] ?? '').replace(/&amp;/g, '&');
		await call(flow, action, { method: 'POST', body: { name: '<b>Eve</b>', decision: 'reject' }, execution });
		const [decided] = listApprovals(await meta()).filter((entry) => entry.mode === 'human');
		const page = await call(flow, link);
		expect(page.status).toBe(200);
		expectOwnPage(page, dbPath());
		expect(page.body).toContain('<h1>Rejected</h1>');
		expect(page.body).toContain(`Rejected by ${escapeHtml('<b>Eve</b>')} on ${minute(decided.time)}`);
		expect(page.body).not.toContain('<b>Eve</b>');
	});

	it('shows the form only with the token the link was sent with, and never decides on GET', async () => {
		const flow = setup(gateWorkflow());
		const link = new URL(approverLink(await start(flow)));
		const before = await meta();
		for (const token of ['', 'wrong-token', `${RESUME_TOKEN}x`]) {
			const tampered = new URL(link);
			if (token) tampered.searchParams.set('token', token);
			else tampered.searchParams.delete('token');
			const page = await call(flow, tampered.href);
			expect(page.status).toBe(404);
			expectOwnPage(page, dbPath());
			expect(page.body).toContain('<h1>Approval request not found</h1>');
			expect(page.body).not.toContain('<form');
		}
		for (const [name, value] of [
			['request', 'nope'],
			['dataset', 'other'],
		]) {
			const tampered = new URL(link);
			tampered.searchParams.set(name, value);
			expect((await call(flow, tampered.href)).status).toBe(404);
		}
		const incomplete = new URL(link);
		incomplete.searchParams.delete('request');
		const invalid = await call(flow, incomplete.href);
		expect(invalid.status).toBe(400);
		expect(invalid.body).toContain('<h1>Invalid approval link</h1>');
		expect(await meta()).toEqual(before);
	});

	it("does not serve another node's request, nor one opened without a status link", async () => {
		const flow = setup(gateWorkflow());
		const link = new URL(approverLink(await start(flow)));
		const store = openStore(db.config);
		try {
			const base = findApprovalRequest(await meta(), link.searchParams.get('request') as string);
			await openApprovalRequest(store, 'news', { ...base!, id: 'req-other-node', nodeId: 'another-gate', createdAt: new Date().toISOString() });
			const manual = { ...base!, id: 'req-manual', createdAt: new Date().toISOString() };
			delete manual.resumeUrl;
			await openApprovalRequest(store, 'news', manual);
		} finally {
			await store.close();
		}
		for (const id of ['req-other-node', 'req-manual']) {
			const other = new URL(link);
			other.searchParams.set('request', id);
			const page = await call(flow, other.href);
			expect(page.status).toBe(404);
			expect(page.body).not.toContain('<form');
		}
	});

	it('says when the request ran out of time', async () => {
		const flow = setup(gateWorkflow());
		const link = new URL(approverLink(await start(flow)));
		const store = openStore(db.config);
		try {
			await store.updateMeta('news', (current) => ({
				...current,
				approvalRequests: (current.approvalRequests as IDataObject[]).map((entry) => ({ ...entry, expiresAt: '2020-01-01T00:00:00.000Z' })),
			}));
		} finally {
			await store.close();
		}
		const page = await call(flow, link.href);
		expect(page.status).toBe(410);
		expectOwnPage(page, dbPath());
		expect(page.body).toContain('<h1>Approval request expired</h1>');
		expect(page.body).toContain('ran out on 2020-01-01 00:00 UTC');
	});

	it('answers with a page when the database fails', async () => {
		const flow = setup(gateWorkflow());
		const link = approverLink(await start(flow));
		const password = ['not', 'shown', 'anywhere'].join('-');
		const page = await call(flow, link, { credential: { type: 'postgres', host: '127.0.0.1', port: 9, user: 'prodigy', password, database: 'prodigy' } });
		expect(page.status).toBe(500);
		expectOwnPage(page, dbPath());
		expect(page.body).toContain('This approval request could not be loaded');
		expect(page.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|postgres/i);
		expect(page.body).not.toContain(password);
	});

	it("keeps n8n's resume URL as the link in a manual run, and for a node n8n could not route to by name", async () => {
		const resumeLink = (url: string) => {
			const parsed = new URL(url);
			return parsed.origin + parsed.pathname;
		};
		// A manual (test) run: n8n registers no production webhook, so only the resume URL reaches the gate.
		const manual = await start(setup(gateWorkflow(), { published: false, mode: 'manual' }));
		expect(resumeLink(approverLink(manual))).toBe(RESUME_URL);
		expect(new URL(approverLink(manual)).searchParams.get('signature')).toBe(RESUME_TOKEN);
		const manualRequest = findApprovalRequest(await meta(), new URL(approverLink(manual)).searchParams.get('request') as string);
		expect(manualRequest?.statusUrl).toBeUndefined();
		expect(manualRequest?.tokenHash).toBeUndefined();

		// A sub-workflow's run (its workflow need not be published): the resume URL too.
		expect(resumeLink(approverLink(await start(setup(gateWorkflow(), { published: false, mode: 'integrated' }))))).toBe(RESUME_URL);
		// No webhookId and a name with a space: n8n registers the path URL-encoded and compares it decoded (404).
		const spaced = await start(setup(gateWorkflow({ name: 'Ask the Owner', webhookId: undefined })));
		expect(resumeLink(approverLink(spaced, 'Ask the Owner'))).toBe(RESUME_URL);
		// No webhookId and a name that needs no encoding: n8n's path by workflow id and name.
		const plain = await start(setup(gateWorkflow({ webhookId: undefined })));
		expect(resumeLink(approverLink(plain))).toBe('http://localhost:5678/webhook/test-workflow/gate/approval');
	});
});
