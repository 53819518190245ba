// Smoke test of the real-n8n harness: the pinned n8n starts with the pack installed from its tarball, a Manual
// Trigger workflow runs through the harness's run path (on the worker in queue mode), and failures and credentials
// come back as n8n reports them.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../../scripts/n8n');

/** @typedef {import('../../scripts/n8n/api').WorkflowNode} WorkflowNode */

const queue = harness.queueModeRequested();
/** @type {Awaited<ReturnType<typeof harness.startN8n>>} set by before() */
let n8n;
/** @type {string} */
let userFolder;

const TRIGGER = 'Run it';
/**
 * @param {string} name
 * @param {WorkflowNode[]} nodes after the Manual Trigger
 * @param {import('n8n-workflow').IConnections} connections
 * @returns {import('../../scripts/n8n/api').Workflow}
 */
function workflow(name, nodes, connections) {
	return {
		name,
		nodes: [
			{ id: 't', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			...nodes,
		],
		connections,
		settings: { executionOrder: 'v1' },
	};
}

before(async () => {
	userFolder = harness.tempUserFolder();
	n8n = await harness.startN8n({ userFolder, queue, pack: { tarball: await harness.sharedTarball() } });
}, { timeout: 900_000 });

after(async () => {
	if (n8n) await n8n.stop();
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

test('n8n loaded the pack from its tarball: the Prodigy credential types exist', async () => {
	const { data } = await n8n.api.get('/credentials/schema/prodigyDatabaseApi');
	assert.deepEqual(data.properties.type.enum, ['sqlite', 'postgres', 'mysql']);
	const server = await n8n.api.get('/credentials/schema/prodigyServerApi');
	assert.ok(server.data.properties.url);
});

test('a Manual Trigger -> Set workflow runs and its per-node output is read back', async () => {
	const result = await harness.runWorkflow(
		n8n,
		workflow(
			'Smoke: set',
			[
				{
					id: 's',
					name: 'Set',
					type: 'n8n-nodes-base.set',
					typeVersion: 3.4,
					position: [200, 0],
					parameters: {
						assignments: {
							assignments: [
								{ id: 'a', name: 'greeting', value: "={{ 'hello ' + (20 + 22) }}", type: 'string' },
								{ id: 'b', name: 'mode', value: '={{ $execution.mode }}', type: 'string' },
							],
						},
						options: {},
					},
				},
			],
			{ [TRIGGER]: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
		),
	);
	assert.equal(result.status, 'success');
	assert.deepEqual(harness.outputOf(result, 'Set'), [{ greeting: 'hello 42', mode: 'test' }]);
	assert.deepEqual(Object.keys(result.nodes), [TRIGGER, 'Set']);
	if (queue) {
		// In queue mode the manual run is offloaded: the worker (with its own pack install) must have run it.
		const workerLog = fs.readFileSync(path.join(userFolder, 'n8n-worker.log'), 'utf8');
		assert.match(workerLog, new RegExp(`Worker finished execution ${result.executionId}\\b`));
	}
});

test('a failing workflow comes back with status error and the failing node', async () => {
	const result = await harness.runWorkflow(
		n8n,
		workflow(
			'Smoke: fail',
			[
				{
					id: 'e',
					name: 'Fail',
					type: 'n8n-nodes-base.stopAndError',
					typeVersion: 1,
					position: [200, 0],
					parameters: { errorMessage: 'deliberate failure' },
				},
			],
			{ [TRIGGER]: { main: [[{ node: 'Fail', type: 'main', index: 0 }]] } },
		),
	);
	assert.equal(result.status, 'error');
	assert.equal(result.error?.message, 'deliberate failure');
	assert.equal(result.nodes.Fail[0].status, 'error');
});

test('credentials are created once and workflow credentials are mapped by name', async () => {
	const credential = { name: 'Smoke Prodigy DB', type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: '/tmp/smoke.db' } };
	const first = await harness.importCredentials(n8n, [credential]);
	const again = await harness.importCredentials(n8n, [{ ...credential, data: { type: 'sqlite', path: '/tmp/other.db' } }]);
	assert.equal(again.get(credential.name)?.id, first.get(credential.name)?.id);
	const stored = await harness.importWorkflow(
		n8n,
		workflow(
			'Smoke: credential mapping',
			[
				{
					id: 'h',
					name: 'Uses credential',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [200, 0],
					parameters: {},
					// An id from another instance: the harness must replace it by the id created here.
					credentials: { prodigyDatabaseApi: { id: 'fromElsewhere1', name: credential.name } },
				},
			],
			{},
		),
		{ credentials: first },
	);
	const node = stored.nodes?.find((n) => n.name === 'Uses credential');
	assert.deepEqual(node?.credentials?.prodigyDatabaseApi, { id: first.get(credential.name)?.id, name: credential.name });
});

test('the pack\'s Prodigy Dataset node runs inside n8n on the demo Prodigy database', async () => {
	const { createDemoDatabase } = require('../../scripts/demo-data');
	const dbPath = path.join(n8n.filesDir, 'prodigy.db');
	await createDemoDatabase(dbPath);
	const credentials = await harness.importCredentials(n8n, [
		{ name: 'Smoke demo DB', type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: dbPath } },
	]);
	const result = await harness.runWorkflow(
		n8n,
		workflow(
			'Smoke: Prodigy stats',
			[
				{
					id: 'p',
					name: 'Stats',
					type: 'n8n-nodes-prodigy.prodigyDataset',
					typeVersion: 1,
					position: [200, 0],
					parameters: { resource: 'dataset', operation: 'getStats', dataset: { __rl: true, mode: 'name', value: 'news_ner' } },
					credentials: { prodigyDatabaseApi: { id: 'elsewhere', name: 'Smoke demo DB' } },
				},
			],
			{ [TRIGGER]: { main: [[{ node: 'Stats', type: 'main', index: 0 }]] } },
		),
		{ credentials },
	);
	assert.equal(result.status, 'success', JSON.stringify(result.error));
	const [stats] = harness.outputOf(result, 'Stats');
	assert.equal(stats.dataset, 'news_ner');
	assert.equal(stats.total, 80);
	const sessions = /** @type {{ session: string, total: number }[]} */ (stats.sessions);
	assert.deepEqual(sessions.map((s) => [s.session, s.total]), [['news_ner-alice', 40], ['news_ner-bob', 40]]);
});
