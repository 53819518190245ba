import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { ProdigyDataset } from '../../nodes/ProdigyDataset/ProdigyDataset.node';
import { operations as datasetOps } from '../../nodes/ProdigyDataset/actions/dataset';
import { operations as exampleOps } from '../../nodes/ProdigyDataset/actions/example';
import { operations as serverOps } from '../../nodes/ProdigyDataset/actions/server';
import { operations as sessionOps } from '../../nodes/ProdigyDataset/actions/session';
import { parseIntegerList } from '../../nodes/ProdigyDataset/actions/example/delete.operation';
import { annotatorTotals } from '../../nodes/ProdigyDataset/actions/dataset/getStats.operation';
import { metaFromOptions } from '../../nodes/ProdigyDataset/actions/common';
import { annotationsPerHour } from '../../nodes/ProdigyDataset/actions/session/getAll.operation';

const node = new ProdigyDataset();
const HANDLERS: Record<string, Record<string, unknown>> = {
	dataset: datasetOps,
	example: exampleOps,
	server: serverOps,
	session: sessionOps,
};

/** Every parameter, including those inside collections and fixed collections, with a path for messages. */
function walk(properties: INodeProperties[], path = ''): Array<[string, INodeProperties]> {
	return properties.flatMap((property) => {
		const here = `${path}${property.name}`;
		const nested = (property.options ?? []).flatMap((option) => {
			if ('values' in option) return walk((option as INodePropertyCollection).values, `${here}.${option.name}.`);
			if ('type' in option) return walk([option as INodeProperties], `${here}.`);
			return [];
		});
		return [[here, property] as [string, INodeProperties], ...nested];
	});
}

describe('Prodigy Dataset node description', () => {
	it('describes every parameter and every choice for the people who use it', () => {
		const all = walk(node.description.properties);
		// Notices are their own text; collections are described by the fields inside them.
		const missing = all
			.filter(([, property]) => !['notice', 'collection', 'options', 'multiOptions'].includes(property.type))
			.filter(([, property]) => !property.description?.trim())
			.map(([path]) => path);
		expect(missing).toEqual([]);
		// A choice list is described either as a whole or per choice (selectors: every choice).
		const undescribedChoices = all
			.filter(([, property]) => property.type === 'options' || property.type === 'multiOptions')
			.filter(([, property]) => {
				const choices = property.options as INodePropertyOptions[];
				const perChoice = choices.every((choice) => choice.description?.trim());
				return ['resource', 'operation'].includes(property.name) ? !perChoice : !perChoice && !property.description?.trim();
			})
			.map(([path]) => path);
		expect(undescribedChoices).toEqual([]);
	});

	it('routes every operation the UI offers to a handler, and offers every handler', () => {
		const selectors = node.description.properties.filter((property) => property.name === 'operation');
		for (const selector of selectors) {
			const [resource] = selector.displayOptions?.show?.resource as string[];
			const offered = (selector.options as INodePropertyOptions[]).map((option) => option.value);
			expect(offered.sort()).toEqual(Object.keys(HANDLERS[resource]).sort());
		}
		expect(selectors.map((selector) => selector.displayOptions?.show?.resource?.[0]).sort()).toEqual(Object.keys(HANDLERS).sort());
	});

	it('uses the database credential for database resources and the server credential for the server', () => {
		expect(node.description.credentials).toEqual([
			expect.objectContaining({ name: 'prodigyDatabaseApi', testedBy: 'prodigyDatabaseConnectionTest', displayOptions: { hide: { resource: ['server'] } } }),
			expect.objectContaining({ name: 'prodigyServerApi', displayOptions: { hide: { resource: ['dataset', 'example', 'session'] } } }),
		]);
		expect(node.description.usableAsTool).toBe(true);
	});
});

describe('operation helpers', () => {
	it('parses lists of ids and hashes', () => {
		expect(parseIntegerList('1, -784135307,,2')).toEqual([1, -784135307, 2]);
		expect(parseIntegerList([3, '4'])).toEqual([3, 4]);
		expect(() => parseIntegerList('1.5')).toThrow('"1.5" is not an integer ID or hash');
		expect(() => parseIntegerList(' , ')).toThrow('No IDs or hashes given');
	});

	it('computes annotations per hour over the active span', () => {
		expect(annotationsPerHour({ total: 3, firstTimestamp: 0, lastTimestamp: 3600 })).toBe(3);
		expect(annotationsPerHour({ total: 2, firstTimestamp: 100, lastTimestamp: 100 })).toBeNull();
		expect(annotationsPerHour({ total: 2, firstTimestamp: null, lastTimestamp: null })).toBeNull();
	});

	it('adds up sessions per annotator', () => {
		const base = { none: 0, flagged: 0, firstTimestamp: null, lastTimestamp: null };
		expect(
			annotatorTotals([
				{ ...base, session: 'd-alex', annotator: 'd-alex', total: 2, accept: 2, reject: 0, ignore: 0 },
				{ ...base, session: '2024-01-01_10-00-00', annotator: null, total: 1, accept: 0, reject: 1, ignore: 0 },
				{ ...base, session: 'd-alex-2', annotator: 'd-alex', total: 1, accept: 0, reject: 0, ignore: 1, flagged: 1 },
			]),
		).toEqual([
			{ annotator: 'd-alex', sessions: 2, total: 3, accept: 2, reject: 0, ignore: 1, flagged: 1 },
			{ annotator: '2024-01-01_10-00-00', sessions: 1, total: 1, accept: 0, reject: 1, ignore: 0, flagged: 0 },
		]);
	});

	it('builds dataset meta: description and author win over custom fields of the same name', () => {
		expect(metaFromOptions({ customMeta: '{"author":"x","team":"a"}', author: 'Ines' })).toEqual({ author: 'Ines', team: 'a' });
		expect(() => metaFromOptions({ customMeta: '[1]' })).toThrow('Custom Meta must be a JSON object');
		expect(() => metaFromOptions({ customMeta: '{' })).toThrow(/^Custom Meta is not valid JSON/);
	});
});

describe('dataset pickers', () => {
	const all = new ProdigyDataset().description.properties.filter((property) => property.type === 'resourceLocator');
	const picker = (operation: string, name = 'dataset') =>
		all.find((property) => property.name === name && (property.displayOptions?.show?.operation as string[]).includes(operation)) as INodeProperties;

	it('default to By Name where a new dataset may be named (Add, Merge target), to From List elsewhere', () => {
		expect(picker('add').default).toEqual({ mode: 'name', value: '' });
		const mergeTarget = all.find((property) => property.displayName === 'Target Dataset') as INodeProperties;
		expect(mergeTarget.default).toEqual({ mode: 'name', value: '' });
		expect(picker('getAll').default).toEqual({ mode: 'list', value: '' });
	});

	it('say "cannot contain spaces or commas" only of a name that has one; an empty name is left to Required', () => {
		const mode = picker('add').modes?.find((m) => m.name === 'name');
		const rule = mode?.validation?.[0] as { properties: { regex: string } };
		const regex = new RegExp(rule.properties.regex);
		expect(regex.test('')).toBe(true);
		expect(regex.test('ner_news')).toBe(true);
		expect(regex.test('ner news')).toBe(false);
		expect(regex.test('ner,news')).toBe(false);
		expect(picker('add').required).toBe(true);
	});
});
