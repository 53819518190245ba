// The import-boundary lint rule (eslint-rules/import-boundaries.js), run through the project's real ESLint config
// on probe sources at the paths they would have: this proves both the rule and that eslint.config.mjs applies it.
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const RULE = 'prodigy/import-boundaries';
const eslint = new ESLint({ cwd: ROOT });

/** The boundary messages ESLint reports for `code` placed at `file` (relative to the repo root). */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
	const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
	return result.messages.filter((message) => message.ruleId === RULE).map((message) => message.message);
}

describe('import boundaries', () => {
	it.each([
		["import { NodeOperationError } from 'n8n-workflow';", 'lib/probe.ts', 'lib/ must not import n8n-workflow'],
		["import type { INodeType } from 'n8n-workflow';", 'lib/store/probe.ts', 'lib/ must not import n8n-workflow'],
		["export { WorkflowExecute } from 'n8n-core';", 'lib/probe.ts', 'lib/ must not import n8n-core'],
		["import { mapItems } from '../nodes/shared/items';", 'lib/probe.ts', 'lib/ must not import nodes/shared/'],
		["import { x } from '../../nodes/ApprovalGate/gate';", 'lib/store/probe.ts', 'lib/ must not import nodes/ApprovalGate/'],
		[
			"import { readRecords } from '../ProdigyTrigger/read';",
			'nodes/ApprovalGate/probe.ts',
			'nodes/ApprovalGate/ must not import nodes/ProdigyTrigger/',
		],
		[
			"const gate = require('../../../../nodes/ApprovalGate/gate');",
			'nodes/ProdigyDataset/actions/example/probe.ts',
			'nodes/ProdigyDataset/ must not import nodes/ApprovalGate/',
		],
	])('refuses %s in %s', async (code, file, reason) => {
		const errors = await boundaryErrors(file, code);
		expect(errors).toHaveLength(1);
		expect(errors[0]).toContain(reason);
	});

	it.each([
		["import { setHashes } from './hashing';", 'lib/probe.ts'],
		["import { openStore } from '../../lib/store';", 'nodes/VersionStamp/probe.ts'],
		["import { mapItems } from '../shared/items';", 'nodes/ApprovalGate/probe.ts'],
		["import type { INodeType } from 'n8n-workflow';", 'nodes/shared/probe.ts'],
		["import { router } from '../router';", 'nodes/ProdigyDataset/actions/probe.ts'],
		["import { gate } from '../../nodes/ApprovalGate/gate';", 'test/unit/probe.test.ts'],
	])('allows %s in %s', async (code, file) => {
		expect(await boundaryErrors(file, code)).toEqual([]);
	});
});
