// Every template's default "Execute workflow" button, pressed in the real editor (headless Chromium, the same check
// as `node scripts/editor-check.js` against `npm start`): the demo's setup (demo Prodigy database, demo services,
// sample files, credentials, the eight templates pointed at the demo services, as scripts/start.js does it) on this
// file's own n8n, then each template opened and its button pressed once, as a person does. Asserts the trigger each
// run started from (the one n8n's editor picks when nobody chose one), that it reached the node of the template's
// headline feature (scripts/editor-check.js BUTTON_EXPECTATIONS) and that it ended well.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const harness = require('../../scripts/n8n');
const { createDemoDatabase } = require('../../scripts/demo-data');
const { startDemoServices, demoConfig, prepareDemoFiles } = require('../../scripts/demo-services');
const { BUTTON_EXPECTATIONS, restSession, withEditor, checkExecuteButtons } = require('../../scripts/editor-check');

const REPO = path.join(__dirname, '..', '..');
const EXAMPLES_DIR = path.join(REPO, 'examples');
/** @type {typeof import('pg')} */
const { Client } = require(require.resolve('pg', { paths: [REPO] }));
const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres' };
const queue = harness.queueModeRequested();

/** @typedef {import('../../scripts/n8n/api').WorkflowNode} WorkflowNode */
/** @typedef {import('../../scripts/n8n/api').Workflow & { name: string, nodes: WorkflowNode[] }} Template an examples/ file */
/** @typedef {import('../../scripts/editor-check').ButtonRun} ButtonRun */

/** @type {Awaited<ReturnType<typeof harness.startN8n>>} set by before() */
let n8n;
/** @type {string} */
let userFolder;
/** @type {Awaited<ReturnType<typeof startDemoServices>>} */
let services;
/** @type {string[]} what the demo services printed */
const said = [];
const auditDb = `prodigy_buttons_audit_${crypto.randomBytes(5).toString('hex')}`;
/** @type {ButtonRun[]} one per template, from pressing its button */
let runs = [];

/**
 * @param {string} sql
 */
async function postgres(sql) {
	const client = new Client({ ...PG, database: 'postgres' });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

/**
 * A template with its settings nodes' values set (the only change `npm start` makes to one).
 * @param {Template} template
 * @param {Record<string, Record<string, string>>} valuesByNode
 * @returns {Template}
 */
function withSettings(template, valuesByNode) {
	const copy = structuredClone(template);
	for (const [nodeName, values] of Object.entries(valuesByNode)) {
		const node = copy.nodes.find((n) => n.name === nodeName);
		assert.ok(node, `template "${template.name}" has a node "${nodeName}"`);
		const { assignments = [] } = /** @type {{ assignments?: { name: string, value: unknown }[] }} */ (node.parameters?.assignments ?? {});
		for (const [name, value] of Object.entries(values)) {
			const field = assignments.find((a) => a.name === name);
			assert.ok(field, `"${nodeName}" of template "${template.name}" has a field "${name}"`);
			field.value = value;
		}
	}
	return copy;
}

const TEMPLATE_FILES = fs.readdirSync(EXAMPLES_DIR).filter((f) => /^\d\d-.*\.json$/.test(f)).sort();

before(async () => {
	userFolder = harness.tempUserFolder('n8n-prodigy-buttons-');
	const demoDb = path.join(userFolder, 'prodigy', 'prodigy.db');
	await createDemoDatabase(demoDb);
	services = await startDemoServices({ log: (line) => said.push(line) });
	await postgres(`CREATE DATABASE "${auditDb}"`);
	n8n = await harness.startN8n({ userFolder, queue, pack: { tarball: await harness.sharedTarball() } });
	// A queue worker is another machine: its file nodes may touch only its own files folder.
	const filesDir = queue ? path.join(userFolder, 'worker', 'files') : n8n.filesDir;
	prepareDemoFiles(filesDir);
	const credentials = await harness.importCredentials(n8n, [
		{ name: 'Prodigy Demo DB', type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: demoDb } },
		{ name: 'Audit DB (PostgreSQL)', type: 'postgres', data: { host: PG.host, port: PG.port, database: auditDb, user: PG.user, password: '', ssl: 'disable' } },
	]);
	const config = demoConfig(services.url, filesDir);
	for (const file of TEMPLATE_FILES) {
		const template = /** @type {Template} */ (JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')));
		await harness.importWorkflow(n8n, withSettings(template, config[file.slice(0, 2)] ?? {}), { credentials });
	}
	runs = await withEditor(n8n, async (page) => checkExecuteButtons(page, n8n, await restSession(n8n.baseUrl, n8n.owner)));
	for (const run of runs) console.log(`${run.ok ? 'PASS' : 'FAIL'}  ${run.text}`);
}, { timeout: 1_800_000 });

after(async () => {
	if (n8n) await n8n.stop();
	if (services) await services.close();
	await postgres(`DROP DATABASE IF EXISTS "${auditDb}" WITH (FORCE)`);
	if (userFolder) fs.rmSync(userFolder, { recursive: true, force: true });
});

test('every template has an expectation for its Execute workflow button, and every one was pressed', () => {
	assert.deepEqual(Object.keys(BUTTON_EXPECTATIONS).sort(), TEMPLATE_FILES.map((f) => f.slice(0, 2)));
	assert.deepEqual(runs.map((r) => r.template).sort(), TEMPLATE_FILES.map((f) => f.slice(0, 2)));
});

for (const file of TEMPLATE_FILES) {
	const number = file.slice(0, 2);
	const expected = BUTTON_EXPECTATIONS[number];
	test(`template ${number}: Execute workflow runs from "${expected?.trigger}" and reaches "${expected?.headline}"`, () => {
		const run = runs.find((r) => r.template === number);
		assert.ok(run, `the button of ${file} was pressed`);
		const context = `${run.text}\nnodes that ran: ${run.ran.join(', ')}`;
		assert.equal(run.startedFrom, expected.trigger, context);
		assert.ok(run.ran.includes(expected.headline), context);
		// Template 5 waits for its approver: that is where a good run stops for now.
		assert.equal(run.status, number === '05' ? 'waiting' : 'success', context);
	});
}

test('template 3: the button names the trigger it runs, and one press routes the demo\'s predictions by confidence', () => {
	const run = runs.find((r) => r.template === '03');
	assert.ok(run);
	// Several triggers: the button reads "Execute workflow from <trigger>".
	assert.match(run.label, /from Predictions Ready/, run.label);
	for (const node of ['Fetch New Predictions', 'Route by Confidence', 'Build Review Task', 'Queue for Review', 'Send Accepted Label']) {
		assert.ok(run.ran.includes(node), `${node} ran: ${run.ran.join(', ')}`);
	}
	assert.ok(!run.ran.includes('When a Reviewer Accepts'), 'part 2 did not run');
	assert.ok(said.includes('model service: sent 6 new predictions'), said.join('\n'));
	// The demo's confident predictions (margin at least 0.5) go back as accepted, the others to the review queue.
	assert.deepEqual(
		said.filter((line) => line.startsWith('model service: label')),
		['model service: label BUG for P-2 (model, confidence 0.92)', 'model service: label FEATURE for P-4 (model, confidence 0.85)', 'model service: label BILLING for P-5 (model, confidence 0.82)'],
	);
});
