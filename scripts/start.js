#!/usr/bin/env node
// `npm start`: the whole demo in one command. Builds the pack, installs the pinned n8n once per machine, installs
// the pack into a local n8n user folder (.n8n-local/, git-ignored), creates a demo Prodigy database, a credential
// for it and the example workflows, then runs n8n in the foreground until Ctrl-C.
//
//   npm start [-- --port 5678] [--reset] [--verbose]      (PORT=... also sets the port)
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { checkNode, ensureN8n, log } = require('./n8n/install');

const REPO = path.join(__dirname, '..');
const USER_FOLDER = path.join(REPO, '.n8n-local');
const DEMO_DB = path.join(USER_FOLDER, 'prodigy', 'prodigy.db');
const DEMO_CREDENTIAL = 'Prodigy Demo DB';

function parseArgs(argv) {
	const args = { port: Number(process.env.PORT) || 5678, reset: false, verbose: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--port') args.port = Number(argv[++i]);
		else if (a === '--reset') args.reset = true;
		else if (a === '--verbose') args.verbose = true;
		else if (a === '--help' || a === '-h') args.help = true;
		else throw new Error(`unknown option ${a} (try --help)`);
	}
	if (!Number.isInteger(args.port) || args.port <= 0 || args.port > 65535) throw new Error('the port must be 1-65535');
	return args;
}

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function step(n, total, text) {
	console.log(`\n[${n}/${total}] ${text}`);
}

async function main(argv) {
	const args = parseArgs(argv);
	if (args.help) {
		console.log('usage: npm start [-- --port <port>] [--reset] [--verbose]\n' +
			'  --port     port for n8n (default 5678, or $PORT)\n' +
			'  --reset    recreate the demo Prodigy database and n8n user folder from scratch\n' +
			'  --verbose  show n8n\'s own log on this terminal');
		return 0;
	}
	checkNode();
	if (!(await portIsFree(args.port))) {
		throw new Error(`port ${args.port} is in use: stop what runs there or start with PORT=<another port> npm start`);
	}
	const total = 6;
	step(1, total, 'Installing the pinned n8n (only the first time: 5-10 minutes, progress below)');
	await ensureN8n();

	// Loaded after the install check so a missing dependency surfaces as a clear message above.
	const harness = require('./n8n');
	const { createDemoDatabase } = require('./demo-data');

	step(2, total, 'Building the pack (npm run build)');
	await harness.buildPack();

	if (args.reset) fs.rmSync(USER_FOLDER, { recursive: true, force: true });
	step(3, total, `Demo Prodigy database: ${DEMO_DB}`);
	if (fs.existsSync(DEMO_DB)) {
		console.log('  kept from an earlier run (npm start -- --reset recreates it)');
	} else {
		const created = await createDemoDatabase(DEMO_DB);
		for (const [dataset, count] of Object.entries(created.datasets)) console.log(`  ${dataset}: ${count} annotations`);
	}

	step(4, total, 'Packing the pack and starting n8n with it');
	const n8n = await harness.startN8n({ userFolder: USER_FOLDER, port: args.port, inheritOutput: args.verbose });
	let stopping;
	const stop = (signal) => {
		stopping ??= (async () => {
			console.log(`\n${signal ? `${signal}: ` : ''}stopping n8n...`);
			await n8n.stop();
			console.log('n8n stopped.');
		})();
		return stopping;
	};
	process.on('SIGINT', () => stop('Ctrl-C').then(() => process.exit(0)));
	process.on('SIGTERM', () => stop('SIGTERM').then(() => process.exit(0)));

	try {
		step(5, total, `Credential "${DEMO_CREDENTIAL}" and example workflows`);
		const credentials = await harness.importCredentials(n8n, [
			{ name: DEMO_CREDENTIAL, type: 'prodigyDatabaseApi', data: { type: 'sqlite', path: DEMO_DB } },
		]);
		const examplesDir = path.join(REPO, 'examples');
		const examples = fs.existsSync(examplesDir) ? fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json')).sort() : [];
		for (const file of examples) {
			const workflow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8'));
			await harness.importWorkflow(n8n, workflow, { credentials, replace: true });
			console.log(`  imported ${file}: "${workflow.name}"`);
		}
		if (!examples.length) console.log('  no example workflows in examples/ yet');
	} catch (error) {
		await stop();
		throw error;
	}

	step(6, total, 'Ready');
	console.log(`
  n8n with the Prodigy nodes:  http://127.0.0.1:${args.port}
  Log in with                  ${n8n.owner.email}  /  ${n8n.owner.password}
  Demo Prodigy database        ${DEMO_DB}  (credential "${DEMO_CREDENTIAL}")
  n8n log                      ${args.verbose ? 'this terminal' : n8n.logFile}

  Press Ctrl-C to stop.`);

	// Stay in the foreground until n8n ends: by Ctrl-C (handled above) or on its own, which is an error.
	const [main] = n8n.processes;
	const code = await new Promise((resolve) => main.once('exit', (c, s) => resolve(s ?? c)));
	if (!stopping) {
		console.error(`n8n exited unexpectedly (${code}); see ${n8n.logFile}`);
		await stop();
		return 1;
	}
	await stopping;
	return 0;
}

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error) => {
		log(error.message);
		process.exit(1);
	},
);
