import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import { datasetLocator, forOperation, readDataset } from '../../../shared/descriptions';
import type { StoreRun } from '../../../shared/store';
import { plural } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			'This drops the WHOLE dataset, like "prodigy drop": every link of it goes, and examples no session dataset still holds are deleted. To remove some examples and keep the dataset, use Example → Delete.',
		name: 'dropNotice',
		type: 'notice',
		default: '',
	},
	datasetLocator({
		description:
			'The dataset to delete, like "prodigy drop": its links go, and examples no session still holds are deleted. This cannot be undone.',
	}),
	{
		displayName: 'Confirm Dataset Name',
		name: 'confirmName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. ner_news',
		description:
			'Type the name of the dataset to drop again. The node refuses to drop a dataset whose name this does not repeat, so a node set up for something else cannot drop one by mistake.',
	},
];

export const description = forOperation('dataset', 'delete', properties);

export async function execute(this: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	return await eachItem(async (i) => {
		const name = readDataset(this, i);
		const confirmed = String(this.getNodeParameter('confirmName', i, '') ?? '').trim();
		if (confirmed !== name) {
			throw new ProdigyInputError(
				confirmed === ''
					? `Not dropped: Dataset → Delete drops the whole dataset "${name}", and Confirm Dataset Name is empty`
					: `Not dropped: Confirm Dataset Name reads "${confirmed}", not "${name}"`,
				{
					hint: `Type ${name} under Confirm Dataset Name to drop the whole dataset, or use Example → Delete to remove some of its examples and keep it.`,
				},
			);
		}
		const result = await store.dropDataset(name);
		return {
			deleted: true,
			removed: 'dataset',
			dataset: name,
			linksDeleted: result.linksDeleted,
			examplesDeleted: result.examplesDeleted,
			summary: `Dropped the whole dataset ${name}: ${plural(result.linksDeleted, 'link')} removed, ${plural(result.examplesDeleted, 'example')} that no other dataset held deleted`,
		};
	});
}
