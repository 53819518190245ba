import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { toPlainJson } from '../../../../lib/json';
import type { ExampleRecord } from '../../../../lib/store/types';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { readLimit, returnAllOrLimit } from '../common';
import { exampleFilters, readFilters } from './filters';

const properties: INodeProperties[] = [
	datasetLocator(),
	...returnAllOrLimit(),
	exampleFilters,
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to output each example as the annotation itself (text, spans, answer...) instead of a record with its database IDs, hashes and the annotation under "task"',
	},
];

export const description = forOperation('example', 'getAll', properties);

export function exampleJson(record: ExampleRecord, simplify: boolean): IDataObject {
	const task = toPlainJson(record.task) as IDataObject;
	if (simplify) return task;
	return {
		link_id: record.linkId,
		example_id: record.exampleId,
		dataset: record.dataset,
		input_hash: record.inputHash,
		task_hash: record.taskHash,
		task,
	};
}

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const dataset = readDataset(this, i);
		const filters = readFilters(this.getNodeParameter('filters', i, {}) as IDataObject);
		const simplify = this.getNodeParameter('simplify', i, true) as boolean;
		const results: IDataObject[] = [];
		for await (const record of store.getExamples(dataset, { ...filters, limit: readLimit(this, i) })) {
			results.push(exampleJson(record, simplify));
		}
		return results;
	});
}
