// One filter description (nodes/shared/filters.ts) for Example → Get Many / Count / Export and the trigger's New
// Annotation: the same options on both nodes, shown per operation / event, and every value either ever stored read.
import type { INode, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { ProdigyDataset } from '../../nodes/ProdigyDataset/ProdigyDataset.node';
import { exampleFilters as exampleFiltersFromExample, readFilters as readFiltersFromExample } from '../../nodes/ProdigyDataset/actions/example/filters';
import { ProdigyDatasetTrigger } from '../../nodes/ProdigyDatasetTrigger/ProdigyDatasetTrigger.node';
import { annotationFilters, exampleFilters, readFilters } from '../../nodes/shared/filters';

const dataset = new ProdigyDataset().description;
const trigger = new ProdigyDatasetTrigger().description;

/** The Filters collections of a node description, each with the parameters under which the panel shows it. */
function filtersShown(description: INodeTypeDescription, parameters: Record<string, unknown>, version: number): INodeProperties[] {
	const node = { parameters, typeVersion: version } as unknown as INode;
	return description.properties.filter(
		(property) => property.name === 'filters' && NodeHelpers.displayParameter(parameters as never, property, node, description),
	);
}

/** The options of a collection the panel offers on a node of this version. */
function optionsShown(collection: INodeProperties, description: INodeTypeDescription, version: number): INodeProperties[] {
	const node = { parameters: {}, typeVersion: version } as unknown as INode;
	return (collection.options as INodeProperties[]).filter((option) => NodeHelpers.displayParameter({}, option, node, description));
}

const values = (option: INodeProperties | undefined) => (option?.options as INodePropertyOptions[] | undefined)?.map((choice) => choice.value);

describe('the example filters', () => {
	it('are one description: Get Many, Count and Export show exampleFilters, New Annotation the same options without After Link ID', () => {
		expect(exampleFiltersFromExample).toBe(exampleFilters);
		expect(readFiltersFromExample).toBe(readFilters);
		for (const operation of ['getAll', 'count', 'export']) {
			const shown = filtersShown(dataset, { resource: 'example', operation }, 1.1);
			expect(shown).toHaveLength(1);
			expect(shown[0].options).toBe(exampleFilters.options);
		}
		expect(filtersShown(dataset, { resource: 'example', operation: 'add' }, 1.1)).toEqual([]);

		const [onTrigger] = filtersShown(trigger, { event: 'newAnnotation' }, 1.1);
		expect(onTrigger.options).toBe(annotationFilters.options);
		expect(filtersShown(trigger, { event: 'milestone' }, 1.1)).toEqual([]);
		const onExample = (exampleFilters.options as INodeProperties[]).filter((option) => option.name !== 'afterLinkId');
		const triggerOptions = optionsShown(onTrigger, trigger, 1.1);
		// The same objects (a displayOptions stamp aside): one wording, one list of values.
		const withoutStamp = (option: INodeProperties) => ({ ...option, displayOptions: undefined });
		expect(triggerOptions.map(withoutStamp)).toEqual(onExample.map(withoutStamp));
		expect(triggerOptions.find((option) => option.name === 'answer')).toBe(onExample.find((option) => option.name === 'answer'));
		expect(triggerOptions.find((option) => option.name === 'session')).toBe(onExample.find((option) => option.name === 'session'));
	});

	it('keep trigger version 1 nodes on the Flagged values they stored, and show Get Many’s from 1.1 on', () => {
		const [onTrigger] = filtersShown(trigger, { event: 'newAnnotation' }, 1);
		const flaggedOn = (version: number) => optionsShown(onTrigger, trigger, version).filter((option) => option.name === 'flagged');
		expect(flaggedOn(1).map(values)).toEqual([['any', 'flagged', 'notFlagged']]);
		expect(flaggedOn(1.1).map(values)).toEqual([['any', 'only', 'exclude']]);
		for (const version of [1, 1.1]) {
			const [shown] = filtersShown(dataset, { resource: 'example', operation: 'getAll' }, version);
			expect(optionsShown(shown, dataset, version).filter((option) => option.name === 'flagged').map(values)).toEqual([['any', 'only', 'exclude']]);
		}
		expect(trigger.version).toEqual([1, 1.1]);
		expect(trigger.defaultVersion).toBe(1.1);
	});

	it('read every value either node ever stored, with the same meaning', () => {
		expect(readFilters({ flagged: 'only' })).toEqual({ flagged: true });
		expect(readFilters({ flagged: 'flagged' })).toEqual({ flagged: true });
		expect(readFilters({ flagged: 'exclude' })).toEqual({ flagged: false });
		expect(readFilters({ flagged: 'notFlagged' })).toEqual({ flagged: false });
		expect(readFilters({ flagged: 'any' })).toEqual({});
		// Not a stored value (nor an inherited key of a lookup object).
		expect(readFilters({ flagged: 'toString' })).toEqual({});
		expect(readFilters({ answer: ['accept'], session: ' alex ', afterLinkId: 4 })).toEqual({ answer: ['accept'], session: 'alex', afterLinkId: 4 });
		expect(readFilters({ answer: [], session: '  ', afterLinkId: 0 })).toEqual({});
	});
});
