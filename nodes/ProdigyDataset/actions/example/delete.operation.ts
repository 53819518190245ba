import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import type { RemoveExamplesSelector } from '../../../../lib/store/types';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { plural } from '../common';

type DeleteBy = 'inputHash' | 'taskHash' | 'exampleId';

const properties: INodeProperties[] = [
	datasetLocator({
		description: 'The dataset to remove examples from. The dataset itself and its other examples are kept; other datasets that hold the same examples keep them.',
	}),
	{
		displayName: 'Delete By',
		name: 'deleteBy',
		type: 'options',
		options: [
			{ name: 'Example ID', value: 'exampleId', description: 'The example_id of the database row' },
			{
				name: 'Input Hash',
				value: 'inputHash',
				description: 'Every example with this _input_hash: all answers about the same text or image',
			},
			{ name: 'Task Hash', value: 'taskHash', description: 'Every example with this _task_hash: all answers to the same question' },
		],
		default: 'inputHash',
		description: 'How the examples to remove are identified',
	},
	{
		displayName: 'Values',
		name: 'values',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. -784135307, 896529854',
		description: 'One or more IDs or hashes, separated by commas, or an expression that returns a list',
	},
];

export const description = forOperation('example', 'delete', properties);

/** "1, -2" or [1, "-2"] → [1, -2]; anything that is not an integer is an input error naming it. */
export function parseIntegerList(value: unknown): number[] {
	const parts = Array.isArray(value) ? value : String(value ?? '').split(',');
	const numbers: number[] = [];
	for (const part of parts) {
		const text = String(part).trim();
		if (text === '') continue;
		const number = Number(text);
		if (!Number.isSafeInteger(number)) {
			throw new ProdigyInputError(`"${text}" is not an integer ID or hash`, {
				hint: 'Give whole numbers such as -784135307, separated by commas.',
			});
		}
		numbers.push(number);
	}
	if (numbers.length === 0) {
		throw new ProdigyInputError('No IDs or hashes given', { hint: 'Give at least one value to delete.' });
	}
	return numbers;
}

const BY_LABELS: Record<DeleteBy, string> = { exampleId: 'example ID', inputHash: 'input hash', taskHash: 'task hash' };

const SELECTOR_KEYS: Record<DeleteBy, keyof RemoveExamplesSelector> = {
	exampleId: 'exampleIds',
	inputHash: 'inputHashes',
	taskHash: 'taskHashes',
};

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const dataset = readDataset(this, i);
		const by = this.getNodeParameter('deleteBy', i) as DeleteBy;
		const values = parseIntegerList(this.getNodeParameter('values', i));
		const result = await store.removeExamples(dataset, { [SELECTOR_KEYS[by]]: values });
		return {
			deleted: true,
			removed: 'examples',
			dataset,
			unlinked: result.unlinked,
			examplesDeleted: result.examplesDeleted,
			summary: `Removed ${plural(result.unlinked, 'example')} from ${dataset} by ${BY_LABELS[by]} (${result.examplesDeleted} no other dataset held deleted); the dataset itself is kept`,
		};
	});
}
