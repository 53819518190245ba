#!/usr/bin/env node
/// <reference lib="dom" />
// (The callbacks given to Playwright's evaluate and waitForFunction run in the browser.)
// `npm run screenshots [-- --no-build] [--out <dir>] [name filters...]`: README pictures, taken on the real n8n.
//
// Starts the pinned n8n with the pack (the same harness the e2e tests use), creates the demo Prodigy database and
// its "Prodigy Demo DB" credential, imports every examples/*.json, signs in through n8n's own sign-in page in
// headless Chromium and saves the fitted canvas of each template as docs/images/<template file name>.png, the
// parameter panel of each node as the node panel creates it (docs/images/node-*.png, README's node pictures: the
// node is added from the panel as a person adds it, with a credential present), Example → Export as template 2 sets
// it (docs/export-for-training.md) and the node panel searching "Prodigy".
//
// Needs Debian's `chromium` (apt-get install chromium; CHROMIUM_PATH points elsewhere) and, optionally,
// `pngquant` to keep the PNGs small. playwright-core drives the browser; it comes from the cached n8n install
// (n8n depends on it), so nothing is downloaded: no `playwright install`, no browser bundle.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const harness = require('./n8n');
const { log } = require('./n8n/install');
const { REPO } = require('./n8n/pack');
const { addFromPanel, closeNodePanel } = require('./editor');

const EXAMPLES_DIR = path.join(REPO, 'examples');
const DEFAULT_OUT = path.join(REPO, 'docs', 'images');
const DEMO_CREDENTIAL = 'Prodigy Demo DB';
// The Prodigy Dataset panel pictured as a template sets it (docs/export-for-training.md).
/** @type {NodePanel[]} */
const NODE_PANELS = [{ file: 'node-prodigy-dataset-example-export.png', operation: 'export', format: 'tokens' }];
// README's node pictures: each node as the node panel creates it. [picture, search, panel entry, action or none,
// whether it starts a workflow (added on an empty canvas)].
/** @type {[string, string, string, string | undefined, boolean][]} */
const PANEL_PICTURES = [
	['node-prodigy-dataset-example-add.png', 'Prodigy Dataset', 'Prodigy Dataset', 'Add examples to a dataset', false],
	['node-prodigy-dataset-trigger.png', 'Prodigy', 'Prodigy Dataset', 'On new annotation', true],
	['node-confidence-filter.png', 'Confidence Filter', 'Confidence Filter', undefined, false],
	['node-version-stamp.png', 'Version Stamp', 'Version Stamp', undefined, false],
	['node-approval-gate.png', 'Approval Gate', 'Approval Gate', undefined, false],
];
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('./n8n/api').Workflow} Workflow */
/** @typedef {Workflow & { id: string }} StoredWorkflow */
/** @typedef {Awaited<ReturnType<typeof harness.startN8n>>} N8n the running harness instance (startN8n's handle) */
/** @typedef {{ baseUrl: string, owner: { email: string, password: string } }} Editor what signing in needs of it */
/** @typedef {{ file: string, path: string, workflow: Workflow }} Example */
/** @typedef {{ file: string, operation: string, format?: string }} NodePanel */
/** @typedef {{ build: boolean, out: string, filters: string[], nodePanel: boolean, help: boolean }} Args */

const SEARCH_PANEL_FILE = 'node-panel-search-prodigy.png';
// Width of every picture; the height follows the workflow's shape (within these bounds) so the fitted canvas
// uses the frame instead of leaving wide empty bands, and text stays legible.
const WIDTH = 1600;
const MIN_HEIGHT = 720;
const MAX_HEIGHT = 1100;
const SCALE = 2;
// Canvas chrome that says nothing about the template (zoom buttons, the run button, the minimap, toasts, the
// side toolbar, the "+" stubs on open outputs). The header with the workflow's name stays.
const HIDE_CSS = `
[data-test-id="canvas-controls"], [data-test-id="canvas-minimap"], [class*="_executionButtons_"],
[class*="_nodeButtonsWrapper_"], [data-test-id="node-feature-request"],
[data-test-id="canvas-handle-plus-wrapper"], [data-test-id="canvas-handle-plus"],
[data-test-id="instance-ai-canvas-action-button"],
.el-notification, .el-message, .el-tooltip__popper, .el-popper[role="tooltip"] { display: none !important; }
`;

/**
 * @param {string[]} argv
 * @returns {Args}
 */
function parseArgs(argv) {
	/** @type {Args} */
	const args = { build: true, out: DEFAULT_OUT, filters: [], nodePanel: true, help: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--no-build') args.build = false;
		else if (a === '--no-node-panel') args.nodePanel = false;
		else if (a === '--out') args.out = path.resolve(process.env.INIT_CWD || process.cwd(), argv[++i]);
		else if (a === '--help' || a === '-h') args.help = true;
		else if (a.startsWith('--')) throw new Error(`unknown option ${a} (try --help)`);
		else args.filters.push(a);
	}
	return args;
}

function chromiumPath() {
	const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
	const found = candidates.find((c) => c && fs.existsSync(c));
	if (!found) throw new Error('Chromium not found: install Debian\'s package (apt-get install chromium) or set CHROMIUM_PATH');
	return found;
}

/**
 * playwright-core from the repo when a developer added it, else the copy the cached n8n install ships.
 * @returns {typeof import('playwright-core')}
 */
function loadPlaywright() {
	for (const base of [REPO, harness.cacheDir()]) {
		try {
			return require(require.resolve('playwright-core', { paths: [base] }));
		} catch (error) {
			if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'MODULE_NOT_FOUND') throw error;
		}
	}
	throw new Error(`playwright-core is neither in ${REPO}/node_modules nor in the n8n cache ${harness.cacheDir()}`);
}

/**
 * examples/*.json, sorted, optionally only those whose file name contains one of the filters.
 * @param {string[]} [filters]
 * @returns {Example[]}
 */
function listExamples(filters = []) {
	if (!fs.existsSync(EXAMPLES_DIR)) return [];
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.filter((f) => !filters.length || filters.some((filter) => f.includes(filter)))
		.sort()
		.map((file) => ({ file, path: path.join(EXAMPLES_DIR, file), workflow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) }));
}

// A placeholder for each required field of a credential type nobody here configures, so the canvas shows the
// template as a user sees it after filling in their own (no "credential missing" warnings).
/**
 * @param {{ required?: string[], properties?: Record<string, { enum?: unknown[], type?: string }> }} schema n8n's JSON schema of the type
 */
function placeholderData(schema) {
	/** @type {Record<string, unknown>} */
	const data = {};
	for (const name of schema.required ?? []) {
		const property = schema.properties?.[name] ?? {};
		if (property.enum?.length) data[name] = property.enum[0];
		else if (property.type === 'number' || property.type === 'integer') data[name] = 0;
		else if (property.type === 'boolean') data[name] = false;
		else if (property.type === 'object') data[name] = {};
		else data[name] = 'example';
	}
	return data;
}

/**
 * Creates the demo database credential and a stand-in for every other credential the templates name.
 * @param {N8n} n8n
 * @param {{ workflow: Workflow }[]} workflows
 * @param {string} demoDbPath
 */
async function provideCredentials(n8n, workflows, demoDbPath) {
	const wanted = new Map([[`prodigyDatabaseApi\u0000${DEMO_CREDENTIAL}`, { name: DEMO_CREDENTIAL, type: 'prodigyDatabaseApi' }]]);
	for (const { workflow } of workflows) {
		for (const node of workflow.nodes ?? []) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				const name = typeof ref === 'string' ? ref : ref?.name;
				if (name) wanted.set(`${type}\u0000${name}`, { name, type });
			}
		}
	}
	/** @type {import('./n8n/api').CredentialInput[]} */
	const credentials = [];
	for (const { name, type } of wanted.values()) {
		if (type === 'prodigyDatabaseApi') credentials.push({ name, type, data: { type: 'sqlite', path: demoDbPath } });
		else if (type === 'prodigyServerApi') credentials.push({ name, type, data: { url: 'http://localhost:8080' } });
		else {
			try {
				const { data: schema } = await n8n.api.get(`/credentials/schema/${type}`);
				credentials.push({ name, type, data: placeholderData(schema) });
			} catch (error) {
				log(`no stand-in for credential "${name}" (${type}): ${error instanceof Error ? error.message : String(error)}`);
			}
		}
	}
	/** @type {Map<string, import('./n8n/api').StoredCredential>} */
	const byName = new Map();
	for (const credential of credentials) {
		try {
			for (const [key, value] of await harness.importCredentials(n8n, [credential])) byName.set(key, value);
		} catch (error) {
			log(`credential "${credential.name}" (${credential.type}) not created, its nodes will show a warning: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
	return byName;
}

/**
 * Viewport height for a workflow, from the bounding box of its nodes and sticky notes.
 * @param {Workflow} workflow
 */
function viewportFor(workflow) {
	let minX = Infinity;
	let minY = Infinity;
	let maxX = -Infinity;
	let maxY = -Infinity;
	for (const node of workflow.nodes ?? []) {
		const [x, y] = node.position ?? [0, 0];
		const sticky = node.type === 'n8n-nodes-base.stickyNote';
		// Regular nodes are 100 px squares whose name and subtitle hang below; stickies carry their own size.
		const width = sticky ? Number(node.parameters?.width ?? 240) : 160;
		const height = sticky ? Number(node.parameters?.height ?? 160) : 150;
		minX = Math.min(minX, x);
		minY = Math.min(minY, y);
		maxX = Math.max(maxX, x + width);
		maxY = Math.max(maxY, y + height);
	}
	if (!Number.isFinite(minX)) return { width: WIDTH, height: 900 };
	// The header (~60 px) and the logs bar (~35 px) sit above and below the canvas.
	const canvasHeight = Math.round((WIDTH * (maxY - minY)) / Math.max(1, maxX - minX));
	return { width: WIDTH, height: Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, canvasHeight + 160)) };
}

/** @param {string} file */
function quantise(file) {
	const probe = spawnSync('pngquant', ['--version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) return false;
	// 99 = the quality floor could not be met: the lossless original is kept then.
	const result = spawnSync('pngquant', ['--quality=70-95', '--speed=1', '--strip', '--force', '--output', file, file], { encoding: 'utf8' });
	if (result.status !== 0 && result.status !== 99) log(`pngquant failed on ${file}: ${result.stderr.trim()}`);
	return result.status === 0;
}

/**
 * @param {Page} page
 * @param {Editor} n8n
 */
async function signIn(page, n8n) {
	await page.goto(`${n8n.baseUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(n8n.owner.email);
	await page.locator('input[name="password"]').fill(n8n.owner.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 60_000 });
}

/**
 * Opens a stored workflow's editor and waits until every node and sticky note is drawn.
 * @param {Page} page
 * @param {Editor} n8n
 * @param {{ id: string }} stored
 * @param {number} nodeCount
 */
async function openWorkflow(page, n8n, stored, nodeCount) {
	await page.goto(`${n8n.baseUrl}/workflow/${stored.id}`);
	await page.locator('[data-test-id="canvas-wrapper"]').waitFor({ timeout: 60_000 });
	await page.waitForFunction((count) => document.querySelectorAll('.vue-flow__node').length >= count, nodeCount, { timeout: 60_000 });
	if (new URL(page.url()).pathname.startsWith('/signin')) throw new Error('n8n sent the browser back to the sign-in page');
	// Node icons are images: wait for them (and the fonts) so no placeholder boxes are captured.
	await page.evaluate(async () => {
		await document.fonts.ready;
		await Promise.all(Array.from(document.images).filter((img) => !img.complete).map((img) => new Promise((resolve) => {
			img.addEventListener('load', resolve, { once: true });
			img.addEventListener('error', resolve, { once: true });
		})));
	});
}

/**
 * @param {Page} page
 * @param {N8n} n8n
 * @param {StoredWorkflow} stored
 * @param {Workflow} workflow
 * @param {string} file
 */
async function captureCanvas(page, n8n, stored, workflow, file) {
	await page.setViewportSize(viewportFor(workflow));
	await openWorkflow(page, n8n, stored, (workflow.nodes ?? []).length);
	await page.addStyleTag({ content: HIDE_CSS });
	// Fit view after the viewport change (n8n's "1" shortcut, the zoom-to-fit button); the mouse then leaves the
	// canvas so no hover toolbar or tooltip is captured.
	await page.locator('[data-test-id="canvas-wrapper"]').click({ position: { x: 5, y: 5 } });
	await page.keyboard.press('1');
	await page.mouse.move(0, 0);
	await page.waitForTimeout(1200);
	const outside = await page.evaluate(() => {
		const wrapper = document.querySelector('[data-test-id="canvas-wrapper"]');
		if (!wrapper) return ['(the canvas is gone)'];
		const canvas = wrapper.getBoundingClientRect();
		return Array.from(document.querySelectorAll('.vue-flow__node'))
			.filter((node) => {
				const r = node.getBoundingClientRect();
				return r.left < canvas.left - 1 || r.top < canvas.top - 1 || r.right > canvas.right + 1 || r.bottom > canvas.bottom + 1;
			})
			.map((node) => (node instanceof HTMLElement ? node.innerText : (node.textContent ?? '')).split('\n')[0]);
	});
	if (outside.length) log(`${path.basename(file)}: not fully in the picture after fit view: ${outside.join(', ')}`);
	await page.screenshot({ path: file });
}

/**
 * A Prodigy Dataset node set to Example → `operation` (and `format`, when given) from the templates; undefined when
 * no template has one.
 * @param {{ workflow: Workflow }[]} workflows
 * @param {NodePanel} wanted
 * @returns {{ workflow: Workflow, nodeName: string } | undefined}
 */
function nodePanelWorkflow(workflows, { operation, format }) {
	for (const { workflow } of workflows) {
		const node = (workflow.nodes ?? []).find(
			(n) =>
				n.type === 'n8n-nodes-prodigy.prodigyDataset' &&
				n.parameters?.resource === 'example' &&
				n.parameters?.operation === operation &&
				(format === undefined || n.parameters?.format === format),
		);
		if (node) return { workflow, nodeName: node.name };
	}
	return undefined;
}

/**
 * @param {Page} page
 * @param {N8n} n8n
 * @param {StoredWorkflow} stored
 * @param {string} nodeName
 * @param {number} nodeCount
 * @param {string} file
 */
async function captureNodePanel(page, n8n, stored, nodeName, nodeCount, file) {
	await page.setViewportSize({ width: WIDTH, height: 1000 });
	await openWorkflow(page, n8n, stored, nodeCount);
	const node = (stored.nodes ?? []).find((n) => n.name === nodeName);
	if (!node) throw new Error(`workflow "${stored.name}" has no node "${nodeName}"`);
	await page.goto(`${n8n.baseUrl}/workflow/${stored.id}/${node.id}`);
	await captureParameters(page, file);
}

/**
 * The parameter column of the open node panel (tabs, credential, resource, operation, fields, options): the input
 * and output panels beside it are empty before a run.
 * @param {Page} page
 * @param {string} file
 */
async function captureParameters(page, file) {
	const parameters = page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]');
	await parameters.waitFor({ timeout: 60_000 });
	await page.addStyleTag({ content: HIDE_CSS });
	await page.waitForTimeout(1000);
	// A taller window instead of a scrolled panel, so every parameter and option is in the picture.
	const overflow = await parameters.evaluate((el) => el.scrollHeight - el.clientHeight);
	if (overflow > 0) await page.setViewportSize({ width: WIDTH, height: Math.min(2400, 1000 + overflow + 24) });
	await page.mouse.move(0, 0);
	await page.waitForTimeout(1000);
	const column = await parameters.evaluate((el) => {
		const settings = el.closest('.node-settings') ?? el.parentElement ?? el;
		const r = settings.getBoundingClientRect();
		return { x: r.x, y: r.y, width: r.width, height: Math.min(r.height, el.getBoundingClientRect().top - r.top + el.scrollHeight + 16) };
	});
	await page.screenshot({ path: file, clip: column });
}

/**
 * Adds a node from the node panel to a new workflow (after a Manual Trigger, or on an empty canvas when it starts a
 * workflow) and pictures its parameters as the panel created them.
 * @param {Page} page
 * @param {N8n} n8n
 * @param {{ query: string, entry: string, action?: string, starts: boolean }} what
 * @param {string} file
 */
async function capturePanelNode(page, n8n, { query, entry, action, starts }, file) {
	await page.setViewportSize({ width: WIDTH, height: 1000 });
	const manual = { id: 't', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: /** @type {[number, number]} */ ([0, 0]), parameters: {} };
	const stored = await harness.importWorkflow(n8n, { name: `Picture: ${action ?? entry}`, nodes: starts ? [] : [manual], connections: {}, settings: { executionOrder: 'v1' } });
	await openWorkflow(page, n8n, stored, starts ? 0 : 1);
	const opener = starts ? '[data-test-id="canvas-add-button"]' : '[data-test-id="node-creator-plus-button"]';
	if (!(await addFromPanel(page, { query, entry, action, opener }))) throw new Error(`${action ?? entry} did not open its panel`);
	await captureParameters(page, file);
	await closeNodePanel(page);
}

/**
 * The node panel (opened with the canvas's + button) listing what a search finds.
 * @param {Page} page
 * @param {N8n} n8n
 * @param {StoredWorkflow} stored
 * @param {number} nodeCount
 * @param {string} query
 * @param {string} file
 */
async function captureSearch(page, n8n, stored, nodeCount, query, file) {
	await page.setViewportSize({ width: WIDTH, height: 900 });
	await openWorkflow(page, n8n, stored, nodeCount);
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await page.addStyleTag({ content: HIDE_CSS });
	const input = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
	await input.waitFor();
	await input.fill(query);
	await page.mouse.move(0, 0);
	await page.waitForTimeout(1200);
	const box = await page.locator('[data-test-id="node-creator"]').first().boundingBox();
	if (!box) throw new Error(`the node panel is not on the page after searching "${query}"`);
	await page.screenshot({ path: file, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 620) } });
	await page.keyboard.press('Escape');
}

/**
 * Takes the pictures on a running harness instance (startN8n's handle): one PNG per example into `out`, and the
 * node panel unless `nodePanel` is false. Returns [{ file, bytes }].
 * @param {N8n} n8n
 * @param {{ out?: string, filters?: string[], nodePanel?: boolean }} [options]
 */
async function captureAll(n8n, { out = DEFAULT_OUT, filters = [], nodePanel = true } = {}) {
	const examples = listExamples(filters);
	fs.mkdirSync(out, { recursive: true });
	const demoDbPath = path.join(n8n.filesDir, 'prodigy', 'prodigy.db');
	if (!fs.existsSync(demoDbPath)) await require('./demo-data').createDemoDatabase(demoDbPath);
	const panels = nodePanel
		? NODE_PANELS.flatMap((wanted) => {
				const found = nodePanelWorkflow(examples, wanted);
				return found ? [{ ...wanted, ...found }] : [];
			})
		: [];
	const credentials = await provideCredentials(n8n, [...examples, ...panels], demoDbPath);

	const { chromium } = loadPlaywright();
	const userDataDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'n8n-prodigy-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chromiumPath(),
		headless: true,
		viewport: { width: WIDTH, height: 900 },
		// Twice the pixels: sticky-note text stays readable when the picture is opened full size.
		deviceScaleFactor: SCALE,
		colorScheme: 'light',
		args: [
			'--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync',
		],
	});
	/** @type {{ file: string, bytes: number }[]} */
	const written = [];
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(60_000);
		await signIn(page, n8n);
		for (const { file, workflow } of examples) {
			const stored = await harness.importWorkflow(n8n, workflow, { credentials, replace: true });
			const png = path.join(out, `${path.basename(file, '.json')}.png`);
			await captureCanvas(page, n8n, stored, workflow, png);
			quantise(png);
			written.push({ file: png, bytes: fs.statSync(png).size });
			log(`${path.relative(REPO, png)}: "${workflow.name}" (${Math.round(fs.statSync(png).size / 1024)} KB)`);
		}
		if (nodePanel) {
			for (const [picture, query, entry, action, starts] of PANEL_PICTURES) {
				const png = path.join(out, picture);
				await capturePanelNode(page, n8n, { query, entry, action, starts }, png);
				quantise(png);
				written.push({ file: png, bytes: fs.statSync(png).size });
				log(`${path.relative(REPO, png)}: ${action ?? entry} as the node panel creates it (${Math.round(fs.statSync(png).size / 1024)} KB)`);
			}
			if (examples.length) {
				const png = path.join(out, SEARCH_PANEL_FILE);
				const stored = await harness.importWorkflow(n8n, examples[0].workflow, { credentials, replace: true });
				await captureSearch(page, n8n, stored, (examples[0].workflow.nodes ?? []).length, 'Prodigy', png);
				quantise(png);
				written.push({ file: png, bytes: fs.statSync(png).size });
				log(`${path.relative(REPO, png)}: the node panel searching "Prodigy"`);
			}
		}
		for (const panel of panels) {
			const stored = await harness.importWorkflow(n8n, panel.workflow, { credentials, replace: true });
			const png = path.join(out, panel.file);
			await captureNodePanel(page, n8n, stored, panel.nodeName, (panel.workflow.nodes ?? []).length, png);
			quantise(png);
			written.push({ file: png, bytes: fs.statSync(png).size });
			log(`${path.relative(REPO, png)}: "${panel.nodeName}" parameters (${Math.round(fs.statSync(png).size / 1024)} KB)`);
		}
	} finally {
		await context.close();
		fs.rmSync(userDataDir, { recursive: true, force: true });
	}
	return written;
}

/** @param {string[]} argv */
async function main(argv) {
	const args = parseArgs(argv);
	if (args.help) {
		console.log('usage: npm run screenshots [-- --no-build] [--no-node-panel] [--out <dir>] [example name filters...]\n' +
			'  --no-build       use the current dist/ instead of running npm run build first\n' +
			'  --no-node-panel  skip the Prodigy Dataset parameter panel picture\n' +
			`  --out <dir>      where the PNGs go (default ${path.relative(REPO, DEFAULT_OUT)})`);
		return 0;
	}
	chromiumPath();
	loadPlaywright();
	if (!listExamples(args.filters).length) log('no example workflows matched in examples/: only the node panel is captured');
	await harness.ensureN8n();
	if (args.build) await harness.buildPack();
	const tarball = await harness.packTarball();
	const userFolder = harness.tempUserFolder('n8n-prodigy-screenshots-');
	let n8n;
	try {
		n8n = await harness.startN8n({ userFolder, pack: { tarball } });
		const written = await captureAll(n8n, args);
		log(`${written.length} picture(s) in ${path.relative(REPO, args.out) || '.'}`);
	} finally {
		if (n8n) await n8n.stop();
		fs.rmSync(userFolder, { recursive: true, force: true });
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
	return 0;
}

module.exports = { captureAll, listExamples, viewportFor, chromiumPath, loadPlaywright, signIn, openWorkflow };

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			log(error instanceof Error ? (error.stack ?? error.message) : String(error));
			process.exit(1);
		},
	);
}
