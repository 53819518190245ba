// Workflow-level tests of the Prodigy Trigger, one per event: the workflow is activated (polls in trigger mode
// through n8n-core's PollContext), what a poll emits starts an execution through n8n-core's WorkflowExecute the way
// n8n runs a polled workflow (the trigger's output is the emitted data), and the next node receives it. The manual
// "fetch test event" runs through the same engine in manual mode.
import { writeFileSync } from 'node:fs';
import { ExecutionLifecycleHooks, PollContext, WorkflowExecute } from 'n8n-core';
import type {
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IWorkflowBase,
} from 'n8n-workflow';
import { createRunExecutionData } from 'n8n-workflow';

import { openStore } from '../../lib/store';
import type { ProdigyStore, Task } from '../../lib/store/types';
import { ProdigyDatasetTrigger } from '../../nodes/ProdigyDatasetTrigger/ProdigyDatasetTrigger.node';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { buildWorkflow, runWorkflow, testAdditionalData, type TestWorkflow } from '../helpers/workflow';
import { credentialsFor, datasetsParameter, TRIGGER_TYPE, triggerNode } from '../helpers/triggerPoller';

const NODE_TYPES = { [TRIGGER_TYPE]: new ProdigyDatasetTrigger() };

function triggerWorkflow(parameters: INodeParameters): TestWorkflow {
	const collect: INode = { id: 'collect', name: 'Collect', type: 'test.passThrough', typeVersion: 1, position: [200, 0], parameters: {} };
	const connections: IConnections = { 'Prodigy Trigger': { main: [[{ node: 'Collect', type: 'main', index: 0 }]] } };
	return { nodes: [triggerNode(parameters), collect], connections };
}

/** An activated workflow: polls like n8n's poll job and runs an execution for every poll that emits. */
function activate(workflowDefinition: TestWorkflow, db: TestDatabase) {
	const credentials = { prodigyDatabaseApi: credentialsFor(db.config) };
	const active = buildWorkflow(workflowDefinition, { nodeTypes: NODE_TYPES, credentials });
	const node = active.getNode('Prodigy Trigger')!;

	async function execute(data: INodeExecutionData[][]): Promise<IRun> {
		const instance = buildWorkflow(workflowDefinition, { nodeTypes: NODE_TYPES, credentials });
		const workflowData = { ...workflowDefinition, id: 'test-workflow', active: true } as unknown as IWorkflowBase;
		const hooks = new ExecutionLifecycleHooks('trigger', 'test-execution', workflowData);
		const done = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: instance.getNode('Prodigy Trigger')!, data: { main: data }, source: null }] },
		});
		await new WorkflowExecute(testAdditionalData(credentials, hooks), 'trigger', runExecutionData).processRunExecutionData(instance);
		return done;
	}

	return {
		/** One poll; when it emits, the execution it starts. */
		async tick(): Promise<IRun | null> {
			const context = new PollContext(active, node, testAdditionalData(credentials), 'trigger', 'activate');
			const emitted = await (NODE_TYPES[TRIGGER_TYPE] as INodeType).poll!.call(context);
			return emitted ? execute(emitted) : null;
		},
	};
}

function collected(run: IRun | null): IDataObject[] {
	expect(run?.status).toBe('success');
	return (run!.data.resultData.runData.Collect?.[0]?.data?.main?.[0] ?? []).map((item) => item.json);
}

describe('Prodigy Trigger in workflows (SQLite)', () => {
	let db: TestDatabase;
	let store: ProdigyStore;

	beforeEach(async () => {
		db = await createTestDatabase('sqlite');
		store = openStore(db.config);
	});

	afterEach(async () => {
		await store.close();
		await db.cleanup();
	});

	const accept = (text: string, extra: Task = {}): Task => ({ text, answer: 'accept', ...extra });

	it('New Annotation: each new annotation starts the workflow with its task', async () => {
		await store.addExamples('ner_news', [accept('before activation')]);
		const workflow = activate(triggerWorkflow({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }), db);
		expect(await workflow.tick()).toBeNull();
		const added = await store.addExamples('ner_news', [accept('Apple buys a startup', { _session_id: 'ner_news-alex' })]);
		const items = collected(await workflow.tick());
		expect(items).toEqual([
			expect.objectContaining({
				dataset: 'ner_news',
				linkId: added.examples[0].linkId,
				session: 'ner_news-alex',
				task: expect.objectContaining({ text: 'Apple buys a startup' }),
			}),
		]);
		expect(await workflow.tick()).toBeNull();

		// Fetch test event, through the engine in manual mode: the latest annotation reaches the next node.
		const manual = await runWorkflow(triggerWorkflow({ event: 'newAnnotation', datasets: datasetsParameter('ner_news') }), {
			nodeTypes: NODE_TYPES,
			credentials: { prodigyDatabaseApi: credentialsFor(db.config) },
		});
		expect(manual.status).toBe('success');
		expect(manual.json('Collect')).toEqual([expect.objectContaining({ linkId: added.examples[0].linkId })]);
	});

	it('New Dataset: a dataset created after activation starts the workflow', async () => {
		// Prodigy has created its (still empty) file: a poll on a path with no file at all is an error.
		writeFileSync((db.config as { path: string }).path, '');
		const workflow = activate(triggerWorkflow({ event: 'newDataset' }), db);
		expect(await workflow.tick()).toBeNull();
		await store.createDataset('ner_fashion', { author: 'ines' });
		expect(collected(await workflow.tick())).toEqual([
			expect.objectContaining({ name: 'ner_fashion', session: false, meta: { author: 'ines' } }),
		]);
	});

	it('New Session: an annotator starting on the dataset starts the workflow', async () => {
		await store.createDataset('ner_news');
		const workflow = activate(triggerWorkflow({ event: 'newSession', datasets: datasetsParameter('ner_news') }), db);
		expect(await workflow.tick()).toBeNull();
		await store.addExamples('ner_news', [accept('a', { _session_id: 'ner_news-maria' })], { session: 'maria' });
		expect(collected(await workflow.tick())).toEqual([
			expect.objectContaining({ dataset: 'ner_news', session: 'ner_news-maria', annotator: 'maria', examples: 1 }),
		]);
	});

	it('Milestone: reaching the target starts the workflow once', async () => {
		await store.addExamples('ner_news', [accept('1')]);
		const workflow = activate(
			triggerWorkflow({ event: 'milestone', datasets: datasetsParameter('ner_news'), milestoneType: 'target', target: 3 }),
			db,
		);
		expect(await workflow.tick()).toBeNull();
		await store.addExamples('ner_news', [accept('2'), accept('3'), accept('4')]);
		expect(collected(await workflow.tick())).toEqual([
			expect.objectContaining({ dataset: 'ner_news', milestone: 3, type: 'target', count: 4 }),
		]);
		await store.addExamples('ner_news', [accept('5')]);
		expect(await workflow.tick()).toBeNull();
	});

	it('Stalled: a dataset idle past the limit starts the workflow once', async () => {
		await store.addExamples('ner_news', [accept('1')]);
		const definition = triggerWorkflow({ event: 'stalled', datasets: datasetsParameter('ner_news'), idleMinutes: 1 });
		const workflow = activate(definition, db);
		const realNow = Date.now;
		try {
			expect(await workflow.tick()).toBeNull();
			// The n8n server's clock moves on two minutes; nobody annotates.
			const later = realNow() + 2 * 60_000;
			Date.now = () => later;
			expect(collected(await workflow.tick())).toEqual([
				expect.objectContaining({ dataset: 'ner_news', idleMinutes: 2, count: null, target: null }),
			]);
			expect(await workflow.tick()).toBeNull();
		} finally {
			Date.now = realNow;
		}
	});
});
