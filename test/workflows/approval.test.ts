import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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
	IWorkflowBase,
	Workflow,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers } from 'n8n-workflow';

import { findApprovalRequest, hasApproval, listApprovals } from '../../lib/approvals';
import { openStore } from '../../lib/store';
import { findVersion } from '../../lib/versions';
import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { datasetMeta } from '../helpers/rows';
import { buildWorkflow, chain, runWorkflow, testAdditionalData, type TestWorkflow } from '../helpers/workflow';

const TYPE = 'n8n-nodes-prodigy.approvalGate';
const gate = new ApprovalGate();

const nodeTypes = { [TYPE]: gate };
const byName = (value: string) => ({ __rl: true, mode: 'name', value });
// Stands in for the random token n8n generates per execution (not a secret of any system).
const RESUME_TOKEN = ['resume', 'token', '123'].join('-');
const withCredential: Partial<INode> = { credentials: { prodigyDatabaseApi: { id: '1', name: 'Prodigy' } } };

/** The approver link a waiting gate shows in its hint. */
function approverLink(run: IRun): string {
	const message = run.data.resultData.runData.Gate[0].hints?.[0]?.message ?? '';
	return /Approver link: (\S+)$/.exec(message)?.[1] ?? '';
}

describe('Approval Gate (workflow)', () => {
	let db: TestDatabase;
	let credentials: Record<string, ICredentialDataDecryptedObject>;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		credentials = { prodigyDatabaseApi: { type: 'sqlite', path: (db.config as { path: string }).path } };
		const store = openStore(db.config);
		// alex and sam both answered p, q, r, s (agree on p and r: kappa 0.2, see the approvals unit test).
		const both: Array<[string, string, string]> = [
			['p', 'accept', 'accept'],
			['q', 'accept', 'reject'],
			['r', 'reject', 'reject'],
			['s', 'ignore', 'accept'],
		];
		await store.addExamples(
			'news',
			both.flatMap(([text, alex, sam]) => [
				{ text, answer: alex, _annotator_id: 'news-alex' },
				{ text, answer: sam, _annotator_id: 'news-sam' },
			]),
		);
		await store.close();
	});

	afterEach(async () => {
		await db.cleanup();
	});

	const meta = async (): Promise<IDataObject> => (await datasetMeta(db.config, 'news')) as IDataObject;

	it('has a Timed Out output only in human mode with that choice, the way n8n evaluates outputs', () => {
		const labels = (parameters: INodeParameters) => {
			const workflow = buildWorkflow(chain([{ name: 'Gate', type: TYPE, parameters }]), { nodeTypes });
			return NodeHelpers.getNodeOutputs(workflow, workflow.getNode('Gate') as INode, gate.description).map((output) =>
				typeof output === 'string' ? output : output.displayName,
			);
		};
		expect(labels({ mode: 'rules' })).toEqual(['Approved', 'Rejected']);
		expect(labels({ mode: 'human', onTimeout: 'reject' })).toEqual(['Approved', 'Rejected']);
		expect(labels({ mode: 'human', onTimeout: 'timedOutOutput' })).toEqual(['Approved', 'Rejected', 'Timed Out']);
	});

	describe('rules mode', () => {
		async function run(parameters: INodeParameters, items: IDataObject[] = [{ trigger: true }], extra: Partial<INode> = {}) {
			const node = { name: 'Gate', type: TYPE, parameters: { dataset: byName('news'), ...parameters }, ...withCredential, ...extra };
			return await runWorkflow(chain([node], { items }), { nodeTypes, credentials });
		}

		it('approves when the dataset passes every check, records the version and the decision', async () => {
			const result = await run({ rules: { minAnnotations: 8, minAnnotators: 2, maxRejectShare: 0.5, minAgreement: 0.2 } });
			expect(result.status).toBe('success');
			expect(result.json('Gate', 1)).toEqual([]);
			const [item] = result.json('Gate', 0);
			expect(item.trigger).toBe(true);
			const approval = item.approval as IDataObject;
			expect(approval).toMatchObject({ decision: 'approved', approved: true, dataset: 'news', mode: 'rules', reasons: [], approver: null });
			expect((approval.checks as IDataObject[]).map((check) => [check.check, check.value, check.limit, check.passed])).toEqual([
				['minAnnotations', 8, 8, true],
				['minAnnotators', 2, 2, true],
				['maxRejectShare', 0.375, 0.5, true],
				['minAgreement', expect.closeTo(0.2, 12), 0.2, true],
			]);
			const stored = await meta();
			expect(findVersion(stored, approval.versionId as string)).toMatchObject({ count: 8, maxLinkId: 8 });
			expect(hasApproval(stored, approval.versionId as string)).toBe(true);
			expect(listApprovals(stored)).toEqual([expect.objectContaining({ decision: 'approved', mode: 'rules', versionId: approval.versionId })]);
		});

		it('rejects with every check and its verdict, and the rejection withdraws an earlier approval', async () => {
			await run({ rules: { minAnnotations: 1 } });
			const result = await run({ rules: { minAnnotations: 100, minAgreement: 0.5, agreementMetric: 'percent', requiredVersionId: 'deadbeefdead' } });
			expect(result.json('Gate', 0)).toEqual([]);
			const approval = result.json('Gate', 1)[0].approval as IDataObject;
			expect(approval.decision).toBe('rejected');
			expect(approval.reasons).toEqual([
				'Annotations 8 is below the minimum 100',
				`Version ${approval.versionId as string} is not the required version deadbeefdead`,
			]);
			expect((approval.checks as IDataObject[]).map((check) => check.passed)).toEqual([false, true, false]);
			const stored = await meta();
			expect(listApprovals(stored).map((entry) => entry.decision)).toEqual(['approved', 'rejected']);
			expect(hasApproval(stored, approval.versionId as string)).toBe(false);
			expect((stored.versions as unknown[]).length).toBe(1);
		});

		it('checks facts carried by the items, one decision per item', async () => {
			const items = [
				{ stats: { total: 500, rejectShare: 0.1 } },
				{ stats: { total: 50, rejectShare: 0.1 } },
			];
			const result = await run(
				{ factsFrom: 'item', facts: { annotations: '={{ $json.stats.total }}', rejectShare: '={{ $json.stats.rejectShare }}', versionId: 'v-7' }, rules: { minAnnotations: 100, maxRejectShare: 0.2 } },
				items,
			);
			expect(result.json('Gate', 0).map((json) => (json.stats as IDataObject).total)).toEqual([500]);
			expect(result.json('Gate', 1).map((json) => (json.stats as IDataObject).total)).toEqual([50]);
			expect(result.output('Gate', 1)[0].pairedItem).toEqual({ item: 1 });
			const stored = await meta();
			expect(listApprovals(stored).map((entry) => [entry.versionId, entry.decision])).toEqual([
				['v-7', 'approved'],
				['v-7', 'rejected'],
			]);
			expect(stored.versions).toBeUndefined();
		});

		it('refuses to run without rules, and sends a failing item to Rejected under continue-on-fail', async () => {
			const failed = await run({});
			expect(failed.status).toBe('error');
			expect(failed.error?.message).toBe('No rule is configured, so nothing could be checked');
			const unknown = await run({ dataset: byName('nope'), rules: { minAnnotations: 1 } }, [{}], { onError: 'continueRegularOutput' });
			expect(unknown.json('Gate', 1)).toEqual([{ error: 'Dataset "nope" does not exist' }]);
		});

		it('reads a dataset name from an expression trimmed, and sends an item whose name is blank to Rejected with a clear error', async () => {
			const trimmed = await run({ dataset: byName('={{ " news " }}'), rules: { minAnnotations: 1 } });
			expect(trimmed.json('Gate', 0)).toHaveLength(1);
			const blank = await run({ dataset: byName('={{ " " }}'), rules: { minAnnotations: 1 } }, [{}], { onError: 'continueRegularOutput' });
			expect(blank.json('Gate', 1)).toEqual([{ error: 'No dataset given' }]);
		});
	});

	describe('human mode', () => {
		const humanParameters = {
			mode: 'human',
			dataset: byName('news'),
			rules: { minAnnotations: 5 },
			message: 'Ship it?',
			limitWaitTime: true,
			waitAmount: 2,
			waitUnit: 'hours',
		};

		function humanWorkflow(parameters: INodeParameters): TestWorkflow {
			const workflow = chain([{ name: 'Gate', type: TYPE, parameters, ...withCredential, id: 'gate-node-id' }], { items: [{ start: 1 }] });
			workflow.nodes.push(
				{ id: 'a', name: 'On Approved', type: 'test.passThrough', typeVersion: 1, position: [800, 0], parameters: {} },
				{ id: 'r', name: 'On Rejected', type: 'test.passThrough', typeVersion: 1, position: [800, 200], parameters: {} },
				{ id: 't', name: 'On Timed Out', type: 'test.passThrough', typeVersion: 1, position: [800, 400], parameters: {} },
			);
			workflow.connections.Gate = {
				main: [
					[{ node: 'On Approved', type: 'main', index: 0 }],
					[{ node: 'On Rejected', type: 'main', index: 0 }],
					[{ node: 'On Timed Out', type: 'main', index: 0 }],
				],
			};
			return workflow;
		}

		function setup(workflowDefinition: TestWorkflow) {
			const workflow = buildWorkflow(workflowDefinition, { nodeTypes });
			const workflowData = { ...workflowDefinition, id: 'test-workflow', active: false } as unknown as IWorkflowBase;
			const additionalData = () => {
				const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
				return testAdditionalData(credentials, hooks);
			};
			return { workflow, additionalData };
		}

		/** What n8n keeps between the wait and the resume: the serialised execution, nothing else. */
		function persisted(run: IRun): IRunExecutionData {
			return JSON.parse(JSON.stringify(run.data)) as IRunExecutionData;
		}

		async function start(workflow: Workflow, additionalData: ReturnType<ReturnType<typeof setup>['additionalData']>): Promise<IRun> {
			const trigger = workflow.getStartNode();
			if (!trigger) throw new Error('no trigger');
			const runExecutionData = createRunExecutionData({
				executionData: { nodeExecutionStack: [{ node: trigger, data: { main: [[{ json: {} }]] }, source: null }] },
				resumeToken: RESUME_TOKEN,
			});
			return await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
		}

		/** The approver's request through n8n-core's webhook context, the way n8n's waiting-webhook server calls it. */
		async function callWebhook(
			workflow: Workflow,
			additionalData: ReturnType<ReturnType<typeof setup>['additionalData']>,
			runExecutionData: IRunExecutionData,
			method: 'GET' | 'POST',
			url: string,
			body: IDataObject = {},
		) {
			const parsed = new URL(url);
			const response = { statusCode: 200, headers: {} as Record<string, string>, body: '' };
			const res = {
				status(code: number) {
					response.statusCode = code;
					return res;
				},
				setHeader(name: string, value: string) {
					response.headers[name.toLowerCase()] = value;
				},
				end(text: string) {
					response.body = text;
				},
			};
			const req = { method, query: Object.fromEntries(parsed.searchParams), body, headers: {}, params: {} };
			Object.assign(additionalData, { httpRequest: req, httpResponse: res });
			const node = workflow.getNode('Gate') as INode;
			const webhookData = { httpMethod: method, node: 'Gate', path: node.id, webhookDescription: gate.description.webhooks?.[0], workflowId: workflow.id } as unknown as IWebhookData;
			const context = new WebhookContext(workflow, node, additionalData, 'manual', webhookData, [], runExecutionData);
			const result = await gate.webhook.call(context);
			return { result, response };
		}

		/** n8n's resume after a webhook decision (waiting-webhooks + webhook-helpers): disable the node, feed it the decision. */
		async function resumeWithDecision(
			workflow: Workflow,
			additionalData: ReturnType<ReturnType<typeof setup>['additionalData']>,
			runExecutionData: IRunExecutionData,
			workflowData: INodeExecutionData[][],
		): Promise<IRun> {
			const entry = runExecutionData.executionData!.nodeExecutionStack[0];
			entry.node.disabled = true;
			entry.data.main = workflowData;
			entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
			runExecutionData.waitTill = undefined;
			runExecutionData.resultData.runData[runExecutionData.resultData.lastNodeExecuted as string].pop();
			return await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
		}

		it('waits with a signed approver link and the pending request in the dataset meta', async () => {
			const { workflow, additionalData } = setup(humanWorkflow(humanParameters));
			const before = Date.now();
			const run = await start(workflow, additionalData());
			expect(run.status).toBe('waiting');
			expect(new Date(run.waitTill as Date).getTime()).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
			// While waiting nothing is on any output (the canvas would show "1 item" on Approved); the link is a hint.
			const gateRun = run.data.resultData.runData.Gate[0];
			expect(gateRun.data?.main.map((output) => output?.length ?? 0)).toEqual([0, 0]);
			const url = new URL(approverLink(run));
			expect(gateRun.hints).toEqual([
				{ message: `Waiting for approval of "news" until ${new Date(run.waitTill as Date).toISOString()}. Approver link: ${url.href}`, location: 'outputPane' },
			]);
			expect(url.origin + url.pathname).toBe('http://localhost:5678/webhook-waiting/test-execution/gate-node-id');
			// n8n's resume token travels as `signature`; n8n 2.40 refuses the request without it.
			expect(url.searchParams.get('signature')).toBe(RESUME_TOKEN);
			expect(url.searchParams.get('dataset')).toBe('news');
			const requestId = url.searchParams.get('request') as string;
			const pending = findApprovalRequest(await meta(), requestId);
			expect(pending).toMatchObject({ rulesDecision: 'approved', message: 'Ship it?', executionId: 'test-execution', versionId: expect.any(String) });
			expect(run.data.resultData.runData['On Approved']).toBeUndefined();
		});

		it('sends the approval link to a notification URL before waiting', async () => {
			const received: IDataObject[] = [];
			let failNext = false;
			const server = createServer((req, res) => {
				let body = '';
				req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
				req.on('end', () => {
					if (failNext) {
						res.writeHead(500).end('down');
						return;
					}
					received.push(JSON.parse(body) as IDataObject);
					res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
				});
			});
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			try {
				const { port } = server.address() as AddressInfo;
				const { workflow, additionalData } = setup(humanWorkflow({ ...humanParameters, notifyUrl: `http://127.0.0.1:${port}/hook` }));
				const run = await start(workflow, additionalData());
				expect(run.status).toBe('waiting');
				const url = approverLink(run);
				expect(received).toEqual([
					expect.objectContaining({ approvalUrl: url, dataset: 'news', rulesDecision: 'approved', text: expect.stringContaining(url) }),
				]);
				expect(((await meta()).approvalRequests as unknown[]).length).toBe(1);

				// Nobody got the link: the run fails and leaves no request pending.
				const broken = setup(humanWorkflow({ ...humanParameters, notifyUrl: `http://127.0.0.1:${port}/missing` }));
				failNext = true;
				const failed = await start(broken.workflow, broken.additionalData());
				expect(failed.status).toBe('error');
				expect(failed.data.resultData.error?.message).toMatch(/^Could not send the approval link to 127\.0\.0\.1:\d+/);
				expect(((await meta()).approvalRequests as unknown[]).length).toBe(1);
			} finally {
				await new Promise((resolve) => server.close(resolve));
			}
		});

		it('shows the page on GET without deciding, and resumes on Approved after a POST', async () => {
			const { workflow, additionalData } = setup(humanWorkflow(humanParameters));
			const first = await start(workflow, additionalData());
			const url = approverLink(first);
			const stored = persisted(first);

			const metaBefore = await meta();
			const get = await callWebhook(workflow, additionalData(), stored, 'GET', url);
			expect(get.result.workflowData).toBeUndefined();
			expect(get.response.statusCode).toBe(200);
			expect(get.response.body).toContain('Approve dataset “news”?');
			expect(get.response.body).toContain('Ship it?');
			expect(get.response.body).toContain('<form method="post"');
			expect(await meta()).toEqual(metaBefore);

			const post = await callWebhook(workflow, additionalData(), stored, 'POST', url, { name: 'Dana', comment: 'good', decision: 'approve' });
			expect(post.response.statusCode).toBe(200);
			expect(post.response.body).toContain('Your decision has been recorded');
			// The page the approver keeps says what was recorded, in the words of a used link's page.
			expect(post.response.body).toMatch(/Approved by Dana on \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
			expect(post.response.body).toContain('good');
			const resumed = await resumeWithDecision(workflow, additionalData(), stored, post.result.workflowData as INodeExecutionData[][]);
			expect(resumed.status).toBe('success');
			const [approved] = resumed.data.resultData.runData['On Approved'][0].data?.main[0] ?? [];
			expect(approved.json.approval).toMatchObject({ decision: 'approved', approver: 'Dana', comment: 'good', mode: 'human', dataset: 'news' });
			expect(resumed.data.resultData.runData['On Rejected']).toBeUndefined();
			const versionId = (approved.json.approval as IDataObject).versionId as string;
			expect(hasApproval(await meta(), versionId)).toBe(true);
		});

		it('resumes on Rejected after a Reject POST', async () => {
			const { workflow, additionalData } = setup(humanWorkflow(humanParameters));
			const first = await start(workflow, additionalData());
			const url = approverLink(first);
			const stored = persisted(first);
			const post = await callWebhook(workflow, additionalData(), stored, 'POST', url, { name: 'Eve', decision: 'reject' });
			const resumed = await resumeWithDecision(workflow, additionalData(), stored, post.result.workflowData as INodeExecutionData[][]);
			expect(resumed.data.resultData.runData['On Approved']).toBeUndefined();
			const [rejected] = resumed.data.resultData.runData['On Rejected'][0].data?.main[0] ?? [];
			expect(rejected.json.approval).toMatchObject({ decision: 'rejected', approved: false, approver: 'Eve' });
		});

		it('routes a timeout to Rejected with reason "timeout" when n8n resumes the wait without a decision', async () => {
			const { workflow, additionalData } = setup(humanWorkflow(humanParameters));
			const first = await start(workflow, additionalData());
			// n8n's wait tracker: reload the stored execution and run it again; the waiting node is disabled.
			const resumed = await new WorkflowExecute(additionalData(), 'manual', persisted(first)).processRunExecutionData(workflow);
			expect(resumed.status).toBe('success');
			expect(resumed.data.resultData.runData['On Approved']).toBeUndefined();
			const [timedOut] = resumed.data.resultData.runData['On Rejected'][0].data?.main[0] ?? [];
			expect(timedOut.json.approval).toMatchObject({ decision: 'rejected', reasons: ['timeout'], approver: null, mode: 'human' });
		});

		it('can send a timeout to a third output instead', async () => {
			const { workflow, additionalData } = setup(humanWorkflow({ ...humanParameters, onTimeout: 'timedOutOutput' }));
			const first = await start(workflow, additionalData());
			const resumed = await new WorkflowExecute(additionalData(), 'manual', persisted(first)).processRunExecutionData(workflow);
			expect(resumed.data.resultData.runData['On Rejected']).toBeUndefined();
			const [timedOut] = resumed.data.resultData.runData['On Timed Out'][0].data?.main[0] ?? [];
			expect((timedOut.json.approval as IDataObject).reasons).toEqual(['timeout']);
		});
	});
});
