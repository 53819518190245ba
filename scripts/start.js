#!/usr/bin/env node
// `npm start`: the whole demo in one command. Builds the pack, installs the pinned n8n once per machine, installs
// the pack into a local n8n user folder (.n8n-local/, git-ignored), creates a demo Prodigy database, starts local
// stand-ins for the outside systems the templates call (scripts/demo-services.js), creates the credentials and
// imports the eight example workflows pointed at those stand-ins, then runs n8n in the foreground until Ctrl-C.
// `--check` runs every template once instead (from the trigger the editor's "Execute workflow" button uses) and exits
// non-zero when one fails. SIGINT, SIGTERM and SIGHUP, at any step, stop n8n, the demo services and every other
// child (an n8n install, npm pack) before this process ends by that signal.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { N8N_VERSION, cacheDir, checkNode, ensureN8n, isInstalled, log } = require('./n8n/install');
const { stopOnSignals } = require('./node24');

const REPO = path.join(__dirname, '..');
const EXAMPLES_DIR = path.join(REPO, 'examples');
const DEMO_CREDENTIAL = 'Prodigy Demo DB';
const AUDIT_CREDENTIAL = 'Audit DB (PostgreSQL)';
const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER || 'postgres' };
const FINISHED = ['success', 'error', 'crashed', 'canceled'];

const USAGE = `usage: npm start [-- --port <port>] [--reset] [--verbose] [--check] [--no-build] [--user-folder <dir>] [--audit-db <name>]
  --port         port for n8n (default 5678, or $PORT); the demo services use the next one when it is free
  --reset        recreate the demo Prodigy database and n8n user folder from scratch
  --verbose      show n8n's own log on this terminal
  --check        set everything up, run every template once as its Execute workflow button does, print pass/fail, stop, exit non-zero on a failure
  --no-build     use the existing dist/ instead of running npm run build first
  --user-folder  n8n user folder (default .n8n-local in the repo)
  --audit-db     PostgreSQL database for template 7's audit trail (default prodigy_demo_audit)`;

/** @typedef {typeof import('./n8n')} Harness */
/** @typedef {Awaited<ReturnType<Harness['startN8n']>>} N8n a running n8n */
/** @typedef {import('./n8n/api').Workflow & { name: string, nodes: import('./n8n/api').WorkflowNode[] }} Template an examples/ file, or the workflow n8n stored from one */
/** @typedef {Template & { id: string, versionId?: string }} StoredTemplate */
/** @typedef {{ file: string, workflow: Template, id: string }} ImportedTemplate */
/** @typedef {{ ok: boolean, skipped?: boolean, detail: string }} CheckResult */

/** @param {string[]} argv */
function parseArgs(argv) {
	const args = {
		port: Number(process.env.PORT) || 5678,
		reset: false,
		verbose: false,
		check: false,
		build: true,
		userFolder: path.join(REPO, '.n8n-local'),
		auditDb: 'prodigy_demo_audit',
		help: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--port') args.port = Number(argv[++i]);
		else if (a === '--reset') args.reset = true;
		else if (a === '--verbose') args.verbose = true;
		else if (a === '--check') args.check = true;
		else if (a === '--no-build') args.build = false;
		else if (a === '--user-folder') args.userFolder = path.resolve(process.env.INIT_CWD ?? process.cwd(), argv[++i] ?? '');
		else if (a === '--audit-db') args.auditDb = argv[++i];
		else if (a === '--help' || a === '-h') args.help = true;
		else throw new Error(`unknown option ${a} (try --help)`);
	}
	if (!Number.isInteger(args.port) || args.port <= 0 || args.port > 65535) throw new Error('the port must be 1-65535');
	// Used as an SQL identifier (CREATE DATABASE), so only a plain lower-case name is accepted.
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.auditDb ?? '')) throw new Error('--audit-db must be a lower-case name of letters, digits and _');
	return args;
}

/**
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * @param {number} n
 * @param {number} total
 * @param {string} text
 */
function step(n, total, text) {
	console.log(`\n[${n}/${total}] ${text}`);
}

// ---- template 7's audit database ---------------------------------------------------------------------------------

/**
 * Makes sure the audit database exists on the local PostgreSQL (trust auth) and returns the n8n credential for it,
 * or null with the reason when PostgreSQL does not answer.
 * @param {string} database
 * @returns {Promise<{ credential: import('./n8n/api').CredentialInput | null, reason?: string }>}
 */
async function ensureAuditDatabase(database) {
	/** @type {typeof import('pg')} */
	const { Client } = require(require.resolve('pg', { paths: [REPO] }));
	const client = new Client({ ...PG, database: 'postgres', connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
	} catch (error) {
		const { code, message } = /** @type {NodeJS.ErrnoException} */ (error);
		return { credential: null, reason: code ?? message };
	}
	try {
		const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
		// The name was checked against [a-z0-9_] in parseArgs, so it is safe as an identifier.
		if (rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
	} finally {
		await client.end();
	}
	return {
		credential: { name: AUDIT_CREDENTIAL, type: 'postgres', data: { host: PG.host, port: PG.port, database, user: PG.user, password: '', ssl: 'disable' } },
	};
}

// ---- templates ---------------------------------------------------------------------------------------------------

/**
 * Sets the values of a template's settings nodes (the only change the demo makes to a template).
 * @param {Template} workflow
 * @param {Record<string, Record<string, string>>} valuesByNode
 * @returns {Template}
 */
function withConfig(workflow, valuesByNode) {
	const copy = structuredClone(workflow);
	for (const [nodeName, values] of Object.entries(valuesByNode)) {
		const node = copy.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`template "${workflow.name}" has no node "${nodeName}"`);
		// A Set node's fields (n8n's assignmentCollection).
		const { assignments = [] } = /** @type {{ assignments?: { name: string, value: unknown }[] }} */ (node.parameters?.assignments ?? {});
		for (const [name, value] of Object.entries(values)) {
			const field = assignments.find((a) => a.name === name);
			if (!field) throw new Error(`"${nodeName}" of template "${workflow.name}" has no field "${name}"`);
			field.value = value;
		}
	}
	return copy;
}

function listTemplates() {
	if (!fs.existsSync(EXAMPLES_DIR)) return [];
	return fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();
}

/** What npm start imported last time, per template file: workflow id, n8n's versionId then, template fingerprint. */
const IMPORT_RECORD = 'prodigy-templates.json';

/**
 * @param {string} userFolder
 * @returns {Record<string, { id: string, versionId?: string, fingerprint: string }>} by template file
 */
function readImportRecord(userFolder) {
	try {
		return JSON.parse(fs.readFileSync(path.join(userFolder, IMPORT_RECORD), 'utf8'));
	} catch {
		return {};
	}
}

/**
 * @param {N8n} n8n
 * @param {Harness} harness
 * @param {string | undefined} id
 * @param {string} name
 * @returns {Promise<StoredTemplate | undefined>} n8n's stored workflows always have an id, a name and nodes
 */
async function storedWorkflow(n8n, harness, id, name) {
	const byId = id ? await harness.getWorkflow(n8n, id) : null;
	return /** @type {StoredTemplate | undefined} */ (byId ?? (await harness.listWorkflows(n8n, { name })).find((w) => w.name === name));
}

/**
 * Imports the templates, their settings pointed at the demo services and files folder, without ever overwriting a
 * workflow the user changed: a missing one is imported, one left exactly as npm start imported it (same n8n
 * versionId) is updated when the template changed, and an edited one is kept as it is (and said so).
 * @param {Harness} harness
 * @param {N8n} n8n
 * @param {Map<string, { id: string, name: string }>} credentials by name
 * @param {{ servicesUrl: string, filesDir: string, userFolder: string }} where
 * @returns {Promise<ImportedTemplate[]>}
 */
async function importTemplates(harness, n8n, credentials, { servicesUrl, filesDir, userFolder }) {
	const { demoConfig } = require('./demo-services');
	const config = demoConfig(servicesUrl, filesDir);
	const record = readImportRecord(userFolder);
	/** @type {ImportedTemplate[]} */
	const imported = [];
	for (const file of listTemplates()) {
		/** @type {Template} */
		const original = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
		const values = config[file.slice(0, 2)];
		const workflow = values ? withConfig(original, values) : original;
		const fingerprint = crypto.createHash('sha256').update(JSON.stringify(workflow)).digest('hex');
		const last = record[file];
		const existing = await storedWorkflow(n8n, harness, last?.id, workflow.name);
		const untouched = Boolean(existing && last && existing.id === last.id && existing.versionId === last.versionId);
		let said;
		/** @type {{ id: string, versionId?: string } | undefined} */
		let stored = existing;
		if (!existing || (untouched && last?.fingerprint !== fingerprint)) {
			stored = /** @type {{ id: string, versionId?: string }} */ (await harness.importWorkflow(n8n, workflow, { credentials, id: existing?.id }));
			record[file] = { id: stored.id, versionId: stored.versionId, fingerprint };
			said = existing
				? `updated ${file}: "${workflow.name}" (the template or its demo settings changed; you had not edited it)`
				: `imported ${file}: "${workflow.name}"`;
		} else if (untouched) {
			said = `unchanged ${file}: "${workflow.name}"`;
		} else {
			said =
				`kept ${file}: "${existing.name}" as you left it (${last ? 'edited since npm start imported it' : 'it was there before'})` +
				(last?.fingerprint === fingerprint
					? ''
					: '; the template or its demo settings (e.g. the port) changed since: to get the current one, rename or delete it and start again');
		}
		// stored is the existing workflow or the one just imported.
		imported.push({ file, workflow: existing && stored === existing ? existing : workflow, id: /** @type {{ id: string }} */ (stored).id });
		console.log(`  ${said}${values ? '' : ' (no demo settings for it)'}`);
	}
	fs.writeFileSync(path.join(userFolder, IMPORT_RECORD), `${JSON.stringify(record, null, '\t')}\n`);
	if (!imported.length) console.log('  no example workflows in examples/');
	return imported;
}

// ---- --check ---------------------------------------------------------------------------------------------------

/**
 * @param {Harness} harness
 * @param {ImportedTemplate} template
 * @param {import('./n8n/api').Execution} execution
 * @returns {CheckResult}
 */
function verdict(harness, template, execution) {
	const summary = harness.summarise(execution);
	if (summary.status === 'success') return { ok: true, detail: `${Object.keys(summary.nodes).length} nodes ran` };
	const last = template.workflow.nodes.find((n) => n.name === summary.lastNodeExecuted);
	// A human approval step pauses the run until someone decides: that is where a good run stops for now.
	if (summary.status === 'waiting' && last?.type === 'n8n-nodes-prodigy.approvalGate') {
		return { ok: true, detail: `waiting for approval in "${last.name}"` };
	}
	const error = summary.error ? `${summary.error.node ? `${summary.error.node}: ` : ''}${summary.error.message}` : 'no error reported';
	return { ok: false, detail: `${summary.status} (${error})` };
}

/**
 * Runs each template once from the trigger the editor's default "Execute workflow" button uses; returns failures.
 * @param {Harness} harness
 * @param {N8n} n8n
 * @param {ImportedTemplate[]} templates
 * @param {{ auditAvailable: boolean }} options
 */
async function checkTemplates(harness, n8n, templates, { auditAvailable }) {
	const { defaultTriggerOf } = require('./n8n/run');
	/** @type {CheckResult[]} */
	const results = [];
	/**
	 * @param {string} label
	 * @param {CheckResult} result
	 */
	const report = (label, result) => {
		results.push(result);
		console.log(`  ${result.skipped ? 'SKIP' : result.ok ? 'PASS' : 'FAIL'}  ${label}: ${result.detail}`);
	};
	for (const template of templates) {
		const label = template.file.replace(/\.json$/, '');
		const needsAudit = template.workflow.nodes.some((n) => {
			const postgres = n.credentials?.postgres;
			return (typeof postgres === 'string' ? postgres : postgres?.name) === AUDIT_CREDENTIAL;
		});
		if (needsAudit && !auditAvailable) {
			report(label, { ok: true, skipped: true, detail: `needs PostgreSQL on ${PG.host}:${PG.port} for "${AUDIT_CREDENTIAL}"` });
			continue;
		}
		try {
			const trigger = defaultTriggerOf(template.workflow);
			const executionId = await harness.startManualRun(n8n, template.id, trigger.name);
			const execution = await harness.waitForExecution(n8n, { executionId, timeoutMs: 240_000, statuses: [...FINISHED, 'waiting'] });
			report(`${label} (from "${trigger.name}")`, verdict(harness, template, execution));
		} catch (error) {
			report(label, { ok: false, detail: error instanceof Error ? error.message : String(error) });
		}
	}
	const failed = results.filter((r) => !r.ok);
	const passed = results.filter((r) => r.ok && !r.skipped);
	console.log(`\n${passed.length} passed, ${failed.length} failed${results.length - passed.length - failed.length ? `, ${results.length - passed.length - failed.length} skipped` : ''}`);
	return failed;
}

// ---- main ------------------------------------------------------------------------------------------------------

/** @type {Awaited<ReturnType<typeof import('./demo-services')['startDemoServices']>> | undefined} the demo services, once started */
let services;
// From the first step on, as n8n may be half started or an install or npm pack running when a signal comes:
// stopOnSignals asks n8n (in a process group of its own, started by this process) to stop with SIGTERM and kills it
// after 20 s, as n8n.stop() does, and ends the other children; the demo services run in this process.
const signals = stopOnSignals({
	graceMs: 20_000,
	cleanup: async (signal) => {
		console.log(`\n${signal}: stopping n8n and the demo services...`);
		await services?.close();
	},
});

/** @param {string[]} argv */
async function main(argv) {
	const args = parseArgs(argv);
	if (args.help) {
		console.log(USAGE);
		return 0;
	}
	checkNode();
	if (!(await portIsFree(args.port))) {
		throw new Error(`port ${args.port} is in use: stop what runs there or start with PORT=<another port> npm start`);
	}
	const userFolder = args.userFolder;
	const demoDb = path.join(userFolder, 'prodigy', 'prodigy.db');
	const total = 7;
	if (isInstalled()) {
		step(1, total, `n8n ${N8N_VERSION}: installed in ${cacheDir()}`);
	} else {
		step(1, total, `Installing n8n ${N8N_VERSION} (first time on this machine only: about 5-10 minutes, progress below)`);
		await ensureN8n();
	}

	// Loaded after the install check so a missing dependency surfaces as a clear message above.
	const harness = require('./n8n');
	const { createDemoDatabase, ensureTemplateDatasets } = require('./demo-data');
	const { startDemoServices, prepareDemoFiles } = require('./demo-services');

	if (args.build) {
		step(2, total, 'Building the pack (npm run build)');
		await harness.buildPack();
	} else {
		step(2, total, 'Using the existing build in dist/ (--no-build)');
	}

	if (args.reset) fs.rmSync(userFolder, { recursive: true, force: true });
	step(3, total, `Demo Prodigy database: ${demoDb}`);
	if (fs.existsSync(demoDb)) {
		console.log('  kept from an earlier run (npm start -- --reset recreates it)');
		for (const dataset of await ensureTemplateDatasets(demoDb)) console.log(`  created ${dataset} (the templates need it)`);
	} else {
		const created = await createDemoDatabase(demoDb);
		for (const [dataset, count] of Object.entries(created.datasets)) console.log(`  ${dataset}: ${count} annotations`);
	}

	step(4, total, 'Demo services and sample files');
	// The folder n8n's file nodes may use (the harness sets N8N_RESTRICT_FILE_ACCESS_TO to it).
	const filesDir = path.join(userFolder, 'files');
	for (const file of prepareDemoFiles(filesDir)) console.log(`  sample input ${file}`);
	services = await startDemoServices({ port: args.port + 1 });
	console.log(`  stand-ins for the CRM, model service, training service and chat webhooks: ${services.url}`);
	const audit = await ensureAuditDatabase(args.auditDb);
	if (audit.credential) console.log(`  audit database for template 7: PostgreSQL ${PG.host}:${PG.port}/${args.auditDb}`);
	else console.log(`  no PostgreSQL on ${PG.host}:${PG.port} (${audit.reason}): template 7's audit step needs it (credential "${AUDIT_CREDENTIAL}")`);

	step(5, total, 'Packing the pack and starting n8n with it');
	const tarball = process.env.N8N_PRODIGY_TARBALL;
	let n8n;
	try {
		n8n = await harness.startN8n({ userFolder, port: args.port, inheritOutput: args.verbose, pack: tarball ? { tarball } : true });
	} catch (error) {
		await services.close();
		throw error;
	}
	/** @type {Promise<void> | undefined} */
	let stopping;
	// Stopping without a signal: after --check, or when a step fails. After a signal, stopOnSignals does it (and
	// n8n is asked only once).
	const stop = () => {
		if (signals.stopping()) return Promise.resolve();
		stopping ??= (async () => {
			console.log('\nstopping n8n...');
			await n8n.stop();
			await services?.close();
			console.log('n8n stopped.');
		})();
		return stopping;
	};

	let templates;
	try {
		step(6, total, 'Credentials and example workflows');
		const credentials = await harness.importCredentials(n8n, [
			{ name: DEMO_CREDENTIAL, type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: demoDb } },
			...(audit.credential ? [audit.credential] : []),
		]);
		console.log(`  credential "${DEMO_CREDENTIAL}"${audit.credential ? ` and "${AUDIT_CREDENTIAL}"` : ''}`);
		templates = await importTemplates(harness, n8n, credentials, { servicesUrl: services.url, filesDir, userFolder });
	} catch (error) {
		await stop();
		throw error;
	}

	if (args.check) {
		step(7, total, 'Running every template once (--check)');
		let failed;
		try {
			failed = await checkTemplates(harness, n8n, templates, { auditAvailable: Boolean(audit.credential) });
		} finally {
			await stop();
		}
		return failed.length ? 1 : 0;
	}

	step(7, total, 'Ready');
	console.log(`
  n8n with the Prodigy nodes:  http://127.0.0.1:${args.port}
  Log in with                  ${n8n.owner.email}  /  ${n8n.owner.password}
  Demo Prodigy database        ${demoDb}  (credential "${DEMO_CREDENTIAL}")
  Demo services                ${services.url}  (CRM, model service, training service, chat; calls are printed below)
  Files the templates use      ${filesDir}  (inbox, archive, hand-off, exports, feedback)
  n8n log                      ${args.verbose ? 'this terminal' : n8n.logFile}

  Open a template and press "Execute workflow": each one runs against the demo services.
  The templates are not published (their schedules and triggers would run by themselves); press Publish in a
  template to let it run on its own. Template 8's help-desk webhook then listens on
  http://127.0.0.1:${args.port}/webhook/prodigy-ticket-intake

  Press Ctrl-C to stop.`);

	// Stay in the foreground until n8n ends: stopped after a signal (stopOnSignals) or on its own, which is an error.
	const [main] = n8n.processes;
	const code = await new Promise((resolve) => main.once('exit', (c, s) => resolve(s ?? c)));
	if (signals.stopping()) return 0;
	console.error(`n8n exited unexpectedly (${code}); see ${n8n.logFile}`);
	await stop();
	return 1;
}

// After a stop signal, what the steps do as their children end (an install fails, n8n exits) no longer decides the
// exit: stopOnSignals ends the process by the signal once everything has stopped.
main(process.argv.slice(2)).then(
	(code) => {
		if (!signals.stopping()) process.exit(code);
	},
	(error) => {
		if (signals.stopping()) return;
		log(error.message);
		process.exit(1);
	},
);
