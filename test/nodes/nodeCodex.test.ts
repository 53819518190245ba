// What n8n's node panel (2.40) reads to find and group the pack's nodes: it searches displayName and codex.alias,
// leaves nodes of the "AI" codex category out of the regular panel's search, and shows a trigger whose type name is
// another node's name + "Trigger" inside that node's entry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeTypeDescription } from 'n8n-workflow';

import { ApprovalGate } from '../../nodes/ApprovalGate/ApprovalGate.node';
import { ConfidenceFilter } from '../../nodes/ConfidenceFilter/ConfidenceFilter.node';
import { ProdigyDataset } from '../../nodes/ProdigyDataset/ProdigyDataset.node';
import { ProdigyDatasetTrigger } from '../../nodes/ProdigyDatasetTrigger/ProdigyDatasetTrigger.node';
import { VersionStamp } from '../../nodes/VersionStamp/VersionStamp.node';

const NODES: Array<[folder: string, description: INodeTypeDescription]> = [
	['ProdigyDataset', new ProdigyDataset().description],
	['ProdigyDatasetTrigger', new ProdigyDatasetTrigger().description],
	['ConfidenceFilter', new ConfidenceFilter().description],
	['VersionStamp', new VersionStamp().description],
	['ApprovalGate', new ApprovalGate().description],
];

function codex(folder: string): { node: string; categories: string[]; alias: string[] } {
	return JSON.parse(readFileSync(join(__dirname, '..', '..', 'nodes', folder, `${folder}.node.json`), 'utf8')) as never;
}

/** Evaluates a labelSubtitle expression for given parameters (the object literal indexed by a key). */
function subtitle(description: INodeTypeDescription, parameters: Record<string, string>): unknown {
	const body = String(description.subtitle).replace(/^=\{\{/, '').replace(/\}\}$/, '');
	return new Function('$parameter', `return ${body};`)(parameters) as unknown;
}

describe('node panel: search and grouping', () => {
	it.each(NODES)('%s: found by "Prodigy", in the same category as the others, never under AI only', (folder, description) => {
		const { node, categories, alias } = codex(folder);
		expect(node).toBe(`n8n-nodes-prodigy.${description.name}`);
		expect(categories).toEqual(['Data & Storage']);
		expect(alias).toContain('Prodigy');
	});

	it('finds Confidence Filter by the words a user types', () => {
		expect(codex('ConfidenceFilter').alias).toEqual(expect.arrayContaining(['confidence', 'uncertainty', 'active learning']));
	});

	it('pairs the trigger with Prodigy Dataset, so n8n shows both in one entry', () => {
		const [[, dataset], [, trigger]] = NODES;
		expect(trigger.name).toBe(`${dataset.name}Trigger`);
		expect(trigger.displayName).toBe(`${dataset.displayName} Trigger`);
	});

	it('subtitles show labels, not option values', () => {
		const [[, dataset], [, trigger]] = NODES;
		expect(subtitle(trigger, { event: 'newAnnotation' })).toBe('new annotation');
		expect(subtitle(dataset, { resource: 'example', operation: 'add' })).toBe('Add examples to a dataset');
		expect(subtitle(dataset, { resource: 'dataset', operation: 'getAll' })).toEqual(expect.any(String));
	});
});
