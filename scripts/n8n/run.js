// Runs a workflow file on a real n8n and reports each node's output.
//
// n8n's public API cannot start a Manual Trigger workflow, so a run goes through the same internal endpoint the
// editor's "Execute workflow" button calls (POST /rest/workflows/:id/run with the owner's session), starting from
// the workflow's trigger; the finished execution is then read back through the public API.
//
//   node scripts/n8n/run.js <workflow.json> [--credentials <file>] [--queue] [--no-build] [--keep] [--user-folder <dir>]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { importCredentials, importWorkflow, waitForExecution, describeAxiosError } = require('./api');
const { log } = require('./install');

const MANUAL_TRIGGER = 'n8n-nodes-base.manualTrigger';

/** @typedef {import('./api').Instance} Instance */
/** @typedef {import('./api').Workflow} Workflow */
/** @typedef {import('./api').WorkflowNode} WorkflowNode */
/** @typedef {import('./api').Execution} Execution */
/** @typedef {{ message: string, description?: string, node?: string }} ErrorSummary */
/** @typedef {{ status: string, outputs: import('n8n-workflow').IDataObject[][], error?: ErrorSummary }} NodeRun */
/** @typedef {{ timeoutMs?: number, trigger?: string }} RunOptions trigger: the node name to start from */
/** @typedef {Summary & { workflow: Workflow, execution: Execution }} RunResult */
/** @typedef {Record<string, NodeRun[]>} NodeOutputs node name → one entry per run, in the order the nodes ran */
/**
 * What `n8n:run` prints.
 * @typedef {object} Summary
 * @property {string | number} executionId
 * @property {string} workflowId
 * @property {string} status
 * @property {string} mode
 * @property {string} startedAt
 * @property {string | null | undefined} stoppedAt
 * @property {string | undefined} lastNodeExecuted
 * @property {ErrorSummary | undefined} error
 * @property {NodeOutputs} nodes
 */

/**
 * The node a manual run starts from: the Manual Trigger, else the first other trigger (schedule, poll...).
 * @param {Workflow} workflow
 * @returns {import('./api').WorkflowNode}
 */
function triggerNodeOf(workflow) {
	const nodes = (workflow.nodes ?? []).filter((n) => !n.disabled);
	const manual = nodes.find((n) => n.type === MANUAL_TRIGGER);
	if (manual) return manual;
	const trigger = nodes.find((n) => /trigger$/i.test(n.type) || n.type === 'n8n-nodes-base.cron');
	if (trigger) return trigger;
	throw new Error(`workflow "${workflow.name}" has no trigger node to start a run from`);
}

// The trigger n8n 2.40's editor starts "Execute workflow" from, when the user has not picked one (editor-ui
// workflows.store: the enabled trigger ranked highest; form 10, webhook 9, any trigger not in n8n's "Core Nodes"
// codex category 8, schedule 7, execute-workflow 5, error 4, other core triggers such as the manual one 0; ties keep
// the workflow's node order). Other n8n-nodes-base triggers count as core here, as the ones the templates use are.
/** @type {Record<string, number>} */
const DEFAULT_TRIGGER_RANK = {
	'n8n-nodes-base.formTrigger': 10,
	'n8n-nodes-base.webhook': 9,
	'n8n-nodes-base.scheduleTrigger': 7,
	'n8n-nodes-base.executeWorkflowTrigger': 5,
	'n8n-nodes-base.errorTrigger': 4,
	[MANUAL_TRIGGER]: 0,
};
/** @param {WorkflowNode} node */
const isTrigger = (node) => /trigger$/i.test(node.type) || node.type === 'n8n-nodes-base.webhook' || node.type === 'n8n-nodes-base.cron';

/**
 * The trigger the editor's default "Execute workflow" button runs from.
 * @param {Workflow} workflow
 * @returns {WorkflowNode}
 */
function defaultTriggerOf(workflow) {
	const triggers = (workflow.nodes ?? []).filter((n) => !n.disabled && isTrigger(n));
	/** @param {WorkflowNode} node */
	const rank = (node) => DEFAULT_TRIGGER_RANK[node.type] ?? (node.type.startsWith('n8n-nodes-base.') ? 0 : 8);
	const [first] = triggers.toSorted((a, b) => rank(b) - rank(a));
	if (!first) throw new Error(`workflow "${workflow.name}" has no trigger node to start a run from`);
	return first;
}

/**
 * Starts a manual run of a stored workflow and returns the execution id.
 * @param {Instance} instance
 * @param {string} workflowId
 * @param {string} triggerName
 * @returns {Promise<string>}
 */
async function startManualRun(instance, workflowId, triggerName) {
	/** @type {{ executionId?: string, waitingForWebhook?: boolean } | undefined} */
	let result;
	try {
		result = (await instance.rest.post(`/workflows/${workflowId}/run`, { triggerToStartFrom: { name: triggerName } })).data.data;
	} catch (error) {
		throw describeAxiosError(error, `starting workflow ${workflowId}`);
	}
	if (result?.waitingForWebhook) {
		throw new Error(
			`"${triggerName}" waits for a webhook call: publish the workflow (importWorkflow(..., { publish: true })) and call its production URL instead`,
		);
	}
	if (!result?.executionId) throw new Error(`n8n started no execution: ${JSON.stringify(result)}`);
	return result.executionId;
}

/**
 * Per-node results of an execution: { nodeName: [ { outputs: [[json, ...], ...], error?, status } per run ] },
 * in the order the nodes ran.
 * @param {Execution | undefined} execution
 * @returns {NodeOutputs}
 */
function nodeOutputs(execution) {
	const runData = execution?.data?.resultData?.runData ?? {};
	const order = Object.entries(runData).sort(
		([, a], [, b]) => (a[0]?.executionIndex ?? a[0]?.startTime ?? 0) - (b[0]?.executionIndex ?? b[0]?.startTime ?? 0),
	);
	/** @type {NodeOutputs} */
	const nodes = {};
	for (const [name, runs] of order) {
		nodes[name] = runs.map((run) => {
			/** @type {NodeRun} */
			const entry = {
				status: run.executionStatus ?? (run.error ? 'error' : 'success'),
				outputs: (run.data?.main ?? []).map((items) => (items ?? []).map((item) => item.json)),
			};
			if (run.error) entry.error = errorSummary(run.error);
			return entry;
		});
	}
	return nodes;
}

/**
 * @param {{ message: string, description?: string | null, node?: { name: string } }} error
 * @returns {ErrorSummary}
 */
function errorSummary(error) {
	return { message: error.message, description: error.description ?? undefined, node: error.node?.name ?? undefined };
}

/**
 * What `n8n:run` prints: the execution's status and each node's output.
 * @param {Execution} execution
 * @returns {Summary}
 */
function summarise(execution) {
	const resultError = execution?.data?.resultData?.error;
	return {
		executionId: execution.id,
		workflowId: execution.workflowId,
		status: execution.status,
		mode: execution.mode,
		startedAt: execution.startedAt,
		stoppedAt: execution.stoppedAt,
		lastNodeExecuted: execution?.data?.resultData?.lastNodeExecuted,
		error: resultError ? errorSummary(resultError) : undefined,
		nodes: nodeOutputs(execution),
	};
}

/**
 * Items of one node's output (default: last run, first output) from a summary or an execution.
 * @param {{ nodes: NodeOutputs } | Execution} result
 * @param {string} nodeName
 * @param {{ output?: number, run?: number }} [which]
 * @returns {import('n8n-workflow').IDataObject[]}
 */
function outputOf(result, nodeName, { output = 0, run = -1 } = {}) {
	const nodes = 'nodes' in result ? result.nodes : nodeOutputs(result);
	const runs = nodes[nodeName];
	if (!runs) throw new Error(`node "${nodeName}" did not run (ran: ${Object.keys(nodes).join(', ') || 'nothing'})`);
	const chosen = runs.at(run);
	return chosen?.outputs?.[output] ?? [];
}

/**
 * Imports a workflow (mapping its credentials by name), runs it once from its trigger and waits for the end.
 * Options: credentials (Map from importCredentials, or a list to import first), timeoutMs, trigger (node name).
 * Returns { workflow, execution, ...summarise(execution) }.
 * @param {Instance} instance
 * @param {Workflow} workflowJson
 * @param {RunOptions & { credentials?: Map<string, { id: string, name: string }> | unknown }} [options]
 * @returns {Promise<RunResult>}
 */
async function runWorkflow(instance, workflowJson, { credentials, timeoutMs = 180_000, trigger } = {}) {
	const credentialMap =
		credentials === undefined || credentials instanceof Map ? credentials : await importCredentials(instance, credentials);
	const workflow = await importWorkflow(instance, workflowJson, { credentials: credentialMap });
	return runStoredWorkflow(instance, workflow.id, { timeoutMs, trigger });
}

/**
 * Runs a workflow already stored in n8n once from its trigger (or `trigger`) and waits for the end.
 * @param {Instance} instance
 * @param {string} workflowId
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
async function runStoredWorkflow(instance, workflowId, { timeoutMs = 180_000, trigger } = {}) {
	/** @type {Workflow} */
	let workflow;
	try {
		workflow = (await instance.api.get(`/workflows/${workflowId}`)).data;
	} catch (error) {
		throw describeAxiosError(error, `GET workflow ${workflowId}`);
	}
	const executionId = await startManualRun(instance, workflowId, trigger ?? triggerNodeOf(workflow).name);
	const execution = await waitForExecution(instance, { executionId, timeoutMs });
	return { workflow, execution, ...summarise(execution) };
}

/** @param {string[]} argv */
function parseArgs(argv) {
	/** @type {{ build: boolean, queue: boolean, keep: boolean, help?: boolean, credentials?: string, userFolder?: string, workflow?: string }} */
	const args = { build: true, queue: false, keep: false };
	const rest = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--credentials') args.credentials = argv[++i];
		else if (a === '--user-folder') args.userFolder = argv[++i];
		else if (a === '--queue') args.queue = true;
		else if (a === '--no-build') args.build = false;
		else if (a === '--keep') args.keep = true;
		else if (a === '--help' || a === '-h') args.help = true;
		else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
		else rest.push(a);
	}
	[args.workflow] = rest;
	return args;
}

const USAGE = `usage: npm run n8n:run -- <workflow.json> [--credentials <file>] [--queue] [--no-build] [--keep] [--user-folder <dir>]
  --credentials  n8n credential export (--decrypted) or a list of { name, type, data }; matched to the workflow by name
  --queue        run on n8n's queue mode (PostgreSQL + Redis + one worker)
  --no-build     pack the existing dist/ instead of running npm run build first
  --keep         keep the temporary n8n user folder (logs, database) and print where it is
  --user-folder  use this n8n user folder instead of a temporary one`;

// npm runs scripts in the package root; INIT_CWD is where the user typed the command, so relative paths mean that.
/**
 * @param {string} file
 * @returns {unknown}
 */
function readJson(file) {
	const candidates = [path.resolve(process.env.INIT_CWD ?? process.cwd(), file), path.resolve(file)];
	const found = candidates.find((f) => fs.existsSync(f));
	if (!found) throw new Error(`${file} not found`);
	try {
		return JSON.parse(fs.readFileSync(found, 'utf8'));
	} catch (error) {
		throw new Error(`${found} is not valid JSON: ${error instanceof Error ? error.message : error}`);
	}
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
async function main(argv) {
	const args = parseArgs(argv);
	if (args.help || !args.workflow) {
		console.error(USAGE);
		return args.help ? 0 : 2;
	}
	const workflowJson = /** @type {Workflow} */ (readJson(args.workflow));
	const credentials = args.credentials ? readJson(args.credentials) : undefined;
	// Loaded here so `--help` works before n8n is installed.
	const { startN8n } = require('./instance');
	const { buildPack, packTarball } = require('./pack');
	if (args.build) await buildPack();
	const tarball = await packTarball();
	const userFolder = args.userFolder ? path.resolve(process.env.INIT_CWD ?? process.cwd(), args.userFolder) : fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-prodigy-run-'));
	const instance = await startN8n({ userFolder, queue: args.queue, pack: { tarball } });
	/** @type {RunResult} */
	let result;
	try {
		result = await runWorkflow(instance, workflowJson, { credentials });
	} finally {
		await instance.stop();
		if (args.keep || args.userFolder) log(`n8n user folder kept: ${userFolder}`);
		else fs.rmSync(userFolder, { recursive: true, force: true });
		fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
	}
	const { workflow, execution, ...summary } = result;
	process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
	return summary.status === 'success' ? 0 : 1;
}

module.exports = { runWorkflow, runStoredWorkflow, startManualRun, triggerNodeOf, defaultTriggerOf, nodeOutputs, summarise, outputOf };

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			console.error(`[n8n-harness] ${error.message}`);
			process.exit(1);
		},
	);
}
