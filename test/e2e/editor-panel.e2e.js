// What a person gets from the node panel, in the real n8n editor (headless Chromium), with a Prodigy Database
// credential present: every action of every node of the pack is added from the panel, the workflow is saved, and
// the stored parameters must be the ones the action names, with the Resource field visible. The credential once
// made n8n take Resource for the node's authentication field: 10 of 17 actions opened as Dataset → Get Many, and
// "Delete examples" as Dataset → Delete (a drop). The editor is the same in queue mode, so this runs in plain mode.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const harness = require('../../scripts/n8n');
const editor = require('../../scripts/editor');
const { chromiumPath, loadPlaywright, signIn, openWorkflow } = require('../../scripts/screenshots');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../../scripts/n8n/api').WorkflowNode} WorkflowNode */

const queue = harness.queueModeRequested();
const skip = queue ? 'the editor does not depend on the execution mode' : false;
const REPO = path.join(__dirname, '..', '..');
const PACKAGE = 'n8n-nodes-prodigy';
const CREDENTIAL = 'Prodigy Demo DB';

/**
 * A built node's description.
 * @param {string} folder
 * @returns {import('n8n-workflow').INodeTypeDescription}
 */
function describe(folder) {
	const exports = require(path.join(REPO, 'dist', 'nodes', folder, `${folder}.node.js`));
	return new exports[folder]().description;
}

/**
 * The panel's actions of the Prodigy Dataset node, read from the built node: [action text, resource, operation],
 * and what n8n stores for a parameter left at its default (nothing: it leaves defaults out).
 */
function datasetActions() {
	const description = describe('ProdigyDataset');
	/** @type {[string, string, string][]} */
	const actions = [];
	/** @type {Record<string, string>} resource → its default operation */
	const defaultOperation = {};
	for (const property of description.properties) {
		if (property.name !== 'operation') continue;
		const resource = String(property.displayOptions?.show?.resource?.[0]);
		defaultOperation[resource] = String(property.default);
		for (const option of /** @type {import('n8n-workflow').INodePropertyOptions[]} */ (property.options ?? [])) {
			actions.push([String(option.action), resource, String(option.value)]);
		}
	}
	const defaultResource = String(description.properties.find((property) => property.name === 'resource')?.default);
	/**
	 * @param {Record<string, unknown> | undefined} parameters as stored
	 * @returns {string} resource/operation as the node runs them
	 */
	const effective = (parameters = {}) => {
		const resource = String(parameters.resource ?? defaultResource);
		return `${resource}/${parameters.operation ?? defaultOperation[resource]}`;
	};
	return { actions, effective };
}

/** @type {WorkflowNode} */
const MANUAL_TRIGGER = { id: 't', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };

/**
 * The name of the credential of `type` a stored node uses.
 * @param {WorkflowNode} node
 * @param {string} type
 */
function credentialName(node, type) {
	const ref = node.credentials?.[type];
	return typeof ref === 'object' && ref !== null ? ref.name : ref;
}

/** @type {Awaited<ReturnType<typeof harness.startN8n>>} */
let n8n;
/** @type {string} */
let userFolder;
/** @type {import('playwright-core').BrowserContext} */
let context;
/** @type {Page} */
let page;
/** @type {string} */
let workflowId;
/** @type {string} */
let userDataDir;

before(async () => {
	if (skip) return;
	userFolder = harness.tempUserFolder();
	n8n = await harness.startN8n({ userFolder, pack: { tarball: await harness.sharedTarball() } });
	await harness.importCredentials(n8n, [
		{ name: CREDENTIAL, type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: path.join(userFolder, 'prodigy.db') } },
	]);
	workflowId = (await harness.importWorkflow(n8n, { name: 'Drawn from the node panel', nodes: [MANUAL_TRIGGER], connections: {}, settings: { executionOrder: 'v1' } })).id;
	const { chromium } = loadPlaywright();
	userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-prodigy-editor-'));
	context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chromiumPath(),
		headless: true,
		viewport: { width: 1600, height: 1000 },
		args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(30_000);
	await signIn(page, n8n);
}, { timeout: 900_000 });

after(async () => {
	if (context) await context.close();
	if (n8n) await n8n.stop();
	for (const dir of [userFolder, userDataDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The names of the nodes n8n has stored for the workflow. */
async function storedNodes() {
	const stored = await harness.getWorkflow(n8n, workflowId);
	assert.ok(stored, 'the workflow is stored');
	return /** @type {WorkflowNode[]} */ (stored.nodes ?? []);
}

/**
 * Adds a node from the panel (scripts/editor.js); when its panel does not open, says what the editor showed instead.
 * @param {string} query
 * @param {string} entry
 * @param {string} [action]
 * @param {string} [opener]
 */
async function addFromPanel(query, entry, action, opener) {
	try {
		await editor.addFromPanel(page, { query, entry, action, opener });
	} catch (error) {
		const file = path.join(os.tmpdir(), `editor-panel-${entry.replace(/\W+/g, '-')}-${Date.now()}.png`);
		await page.screenshot({ path: file });
		throw new Error(`no node panel opened after picking ${action ?? entry}; the editor is pictured in ${file}`, { cause: error });
	}
}

/**
 * Whether the open node panel shows the parameter `name` (n8n marks each parameter's input with its name).
 * @param {string} name
 */
async function parameterVisible(name) {
	return await page.locator(`[data-test-id="ndv"] [data-test-id="parameter-input-${name}"]`).first().isVisible();
}

/**
 * Closes the node panel and saves the workflow as a person does (Ctrl+S), waiting until n8n has stored a version
 * with one node more than `nodesBefore` (the editor may also save by itself: either way the node must be stored).
 * @param {number} nodesBefore
 */
async function closeAndSave(nodesBefore) {
	await editor.closeNodePanel(page);
	await page.locator('[data-test-id="canvas-wrapper"]').click({ position: { x: 10, y: 10 } });
	await page.keyboard.press('Control+s');
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		if ((await storedNodes()).length > nodesBefore) return;
		await page.waitForTimeout(250);
	}
	throw new Error('the added node was not stored within 20 s of Ctrl+S');
}

/**
 * Adds one node from the panel and returns it as n8n stored it.
 * @param {string} query
 * @param {string} entry
 * @param {string} [action]
 * @param {(page: Page) => Promise<void>} [inPanel] checks while the node's panel is open
 * @param {string} [opener] see addFromPanel
 */
async function addAndStore(query, entry, action, inPanel, opener) {
	const nodes = await storedNodes();
	const before = new Set(nodes.map((node) => node.name));
	await addFromPanel(query, entry, action, opener);
	if (inPanel) await inPanel(page);
	await closeAndSave(nodes.length);
	const added = (await storedNodes()).filter((node) => !before.has(node.name));
	assert.equal(added.length, 1, `one node added for ${action ?? entry}, got ${added.map((node) => node.name).join(', ') || 'none'}`);
	return added[0];
}

test('every Prodigy Dataset action from the node panel is stored as the action it names, with Resource visible', { skip, timeout: 900_000 }, async () => {
	const stored = await harness.getWorkflow(n8n, workflowId);
	await openWorkflow(page, n8n, /** @type {{ id: string }} */ (stored), 1);
	const { actions, effective } = datasetActions();
	assert.equal(actions.length, 17);
	/** @type {string[]} */
	const wrong = [];
	for (const [action, resource, operation] of actions) {
		/** @type {{ resource: boolean, operation: boolean }} */
		const visible = { resource: false, operation: false };
		const node = await addAndStore('Prodigy Dataset', 'Prodigy Dataset', action, async () => {
			visible.resource = await parameterVisible('resource');
			visible.operation = await parameterVisible('operation');
		});
		const got = effective(node.parameters);
		const problems = [];
		if (got !== `${resource}/${operation}`) problems.push(`stored as ${got}`);
		if (!visible.resource) problems.push('no Resource field');
		if (!visible.operation) problems.push('no Operation field');
		const credential = resource === 'server' ? 'prodigyServerApi' : 'prodigyDatabaseApi';
		if (resource !== 'server' && credentialName(node, credential) !== CREDENTIAL) problems.push(`credential ${JSON.stringify(node.credentials)}`);
		if (resource === 'server' && node.credentials?.prodigyDatabaseApi) problems.push('a server action got the database credential');
		if (node.name !== action.charAt(0).toUpperCase() + action.slice(1) && !node.name.startsWith(action)) problems.push(`titled "${node.name}"`);
		if (problems.length) wrong.push(`"${action}" (${resource}/${operation}): ${problems.join('; ')}`);
		// A node added today is the current version (Skip Duplicates shown on Add, one export per settings).
		assert.equal(node.typeVersion, 1.1, `"${action}" added as version ${node.typeVersion}`);
	}
	assert.deepEqual(wrong, []);
});

test('the trigger from the node panel, each event on an empty canvas, as a person starts a workflow', { skip, timeout: 600_000 }, async () => {
	const description = describe('ProdigyDatasetTrigger');
	const event = /** @type {import('n8n-workflow').INodeProperties} */ (description.properties.find((property) => property.name === 'event'));
	/** @type {string[]} */
	const wrong = [];
	for (const option of /** @type {import('n8n-workflow').INodePropertyOptions[]} */ (event.options ?? [])) {
		workflowId = (await harness.importWorkflow(n8n, { name: `Trigger: ${option.name}`, nodes: [], connections: {}, settings: { executionOrder: 'v1' } })).id;
		await openWorkflow(page, n8n, { id: workflowId }, 0);
		const node = await addAndStore('Prodigy', 'Prodigy Dataset', `On ${option.name.toLowerCase()}`, undefined, '[data-test-id="canvas-add-button"]');
		const stored = String(node.parameters?.event ?? event.default);
		if (node.type !== `${PACKAGE}.prodigyDatasetTrigger`) wrong.push(`"${option.name}": added ${node.type}`);
		else if (stored !== option.value) wrong.push(`"${option.name}": stored event ${stored}`);
		if (credentialName(node, 'prodigyDatabaseApi') !== CREDENTIAL) wrong.push(`"${option.name}": credential ${JSON.stringify(node.credentials)}`);
	}
	assert.deepEqual(wrong, []);
});

test('the other nodes from the node panel: stored with their defaults, no parameter hidden or switched by the credential', { skip, timeout: 600_000 }, async () => {
	workflowId = (await harness.importWorkflow(n8n, { name: 'Other nodes', nodes: [MANUAL_TRIGGER], connections: {}, settings: { executionOrder: 'v1' } })).id;
	await openWorkflow(page, n8n, { id: workflowId }, 1);
	/** @type {Record<string, boolean>} */
	const seen = {};
	const filter = await addAndStore('Confidence Filter', 'Confidence Filter', undefined, async () => {
		seen.skipExisting = await parameterVisible('skipExisting');
	});
	assert.equal(filter.type, `${PACKAGE}.confidenceFilter`);
	// With `show: { skipExisting: [true] }` the editor hid the switch and turned it on with the credential.
	assert.equal(seen.skipExisting, true, 'the "skip inputs already in a dataset" switch is visible');
	assert.notEqual(filter.parameters?.skipExisting, true, 'the switch is off by default, whatever credential exists');

	const stamp = await addAndStore('Version Stamp', 'Version Stamp');
	assert.equal(stamp.type, `${PACKAGE}.versionStamp`);
	assert.equal(credentialName(stamp, 'prodigyDatabaseApi'), CREDENTIAL);

	const gate = await addAndStore('Approval Gate', 'Approval Gate');
	assert.equal(gate.type, `${PACKAGE}.approvalGate`);
	assert.equal(credentialName(gate, 'prodigyDatabaseApi'), CREDENTIAL);
});


/**
 * Types `text` into the open node panel's code editor, replacing what is there (CodeMirror: select all, then insert
 * the text as one input, so the editor adds no closing brackets of its own).
 * @param {string} text
 */
async function fillCode(text) {
	const code = page.locator('[data-test-id="ndv"] .cm-content').first();
	await code.click();
	await page.keyboard.press('Control+a');
	await page.keyboard.press('Delete');
	await page.keyboard.insertText(text);
}

/**
 * Types a dataset name into the open node panel's Dataset field, switching it to By Name when it shows a list.
 * @param {string} name
 */
async function fillDatasetByName(name) {
	const field = page.locator('[data-test-id="ndv"] [data-test-id="parameter-input-dataset"]').first();
	const mode = field.locator('[data-test-id="rlc-mode-selector"] input').first();
	if ((await mode.inputValue()) !== 'By Name') {
		await mode.click();
		await page.locator('.el-select-dropdown__item, [role="option"]', { hasText: /^By Name$/ }).last().click();
	}
	const input = field.locator('[data-test-id="rlc-input"] input, input[data-test-id="rlc-input"], .rlc-input input').first();
	await input.click();
	await input.fill(name);
}

// The + at the free output of the last node: what a person clicks to add the next step after it.
const NEXT_STEP = '[data-test-id="canvas-handle-plus"]';

test('a workflow drawn only by clicking runs: Manual Trigger → Code → Add → Export → Confidence Filter, and a second Execute adds nothing', { skip, timeout: 600_000 }, async () => {
	workflowId = (await harness.importWorkflow(n8n, { name: 'Clicked together', nodes: [], connections: {}, settings: { executionOrder: 'v1' } })).id;
	await openWorkflow(page, n8n, { id: workflowId }, 0);
	await addAndStore('manual', 'Trigger manually', undefined, undefined, '[data-test-id="canvas-add-button"]');
	await addAndStore('Code', 'Code', 'Code in JavaScript', async () => {
		await fillCode(
			'return [\n  { json: { text: "My order never arrived", ticket: "T-1" } },\n  { json: { text: "Refund please", ticket: "T-2" } },\n  { json: { text: "Great service", ticket: "T-3" } },\n];',
		);
	}, NEXT_STEP);
	await addAndStore('Prodigy Dataset', 'Prodigy Dataset', 'Add examples to a dataset', async () => await fillDatasetByName('clicked_tickets'), NEXT_STEP);
	await addAndStore('Prodigy Dataset', 'Prodigy Dataset', 'Export examples to a file', async () => await fillDatasetByName('clicked_tickets'), NEXT_STEP);
	await addAndStore('Confidence Filter', 'Confidence Filter', undefined, undefined, NEXT_STEP);

	const stored = await harness.getWorkflow(n8n, workflowId);
	assert.ok(stored);
	const names = (stored.nodes ?? []).map((node) => node.name);
	assert.equal(names.length, 5);
	/** @type {import('n8n-workflow').IConnections} */
	const connections = stored.connections ?? {};
	for (let i = 0; i < names.length - 1; i++) {
		/** @type {string | undefined} */
		const next = connections[names[i]]?.main?.[0]?.[0]?.node;
		assert.equal(next, names[i + 1], `${names[i]} → ${names[i + 1]} (connections: ${JSON.stringify(connections)})`);
	}
	const [, code, add, exportNode, filter] = names;

	/** @param {string | number} afterId */
	const runOnce = async (afterId) => {
		await openWorkflow(page, n8n, { id: workflowId }, names.length);
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		return await harness.waitForExecution(n8n, { workflowId, afterId, timeoutMs: 180_000 });
	};
	const first = await runOnce(0);
	assert.equal(first.status, 'success', JSON.stringify(first.data?.resultData?.error ?? null));
	assert.equal(harness.outputOf(first, code).length, 3);
	assert.deepEqual(harness.outputOf(first, add).map((item) => [item.dataset, item.duplicate, item.skipped]), [
		['clicked_tickets', false, false],
		['clicked_tickets', false, false],
		['clicked_tickets', false, false],
	]);
	const [exported] = harness.outputOf(first, exportNode);
	assert.equal(exported.count, 3);
	assert.equal(exported.fileName, 'clicked_tickets.jsonl');
	// The export's file item carries no score: the filter sends it to Needs Review (its first output), saying why.
	assert.equal(harness.outputOf(first, filter, { output: 0 }).length, 1);

	// The rows Prodigy reads: three examples, each linked once to the new dataset, with Prodigy's hashes.
	const { DatabaseSync } = require('node:sqlite');
	const db = new DatabaseSync(path.join(userFolder, 'prodigy.db'), { readOnly: true });
	const rows = () =>
		db
			.prepare('SELECT e.content FROM link l JOIN example e ON e.id = l.example_id JOIN dataset d ON d.id = l.dataset_id WHERE d.name = ? ORDER BY l.id')
			.all('clicked_tickets')
			.map((row) => JSON.parse(Buffer.from(/** @type {Uint8Array} */ (row.content)).toString('utf8')));
	try {
		assert.deepEqual(rows().map((task) => [task.text, task.ticket, typeof task._input_hash, typeof task._task_hash]), [
			['My order never arrived', 'T-1', 'number', 'number'],
			['Refund please', 'T-2', 'number', 'number'],
			['Great service', 'T-3', 'number', 'number'],
		]);
		const second = await runOnce(first.id);
		assert.equal(second.status, 'success');
		assert.deepEqual(harness.outputOf(second, add).map((item) => [item.duplicate, item.skipped]), [[true, true], [true, true], [true, true]]);
		assert.equal(rows().length, 3, 'a second press of Execute added nothing');
		assert.equal(harness.outputOf(second, exportNode)[0].count, 3);
	} finally {
		db.close();
	}
});
