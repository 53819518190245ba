import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { startCursor } from '../../../lib/cursor';
import { freshState } from '../../../lib/triggerState';
import type { DatasetInfo } from '../../../lib/store/types';
import { maxDatasetId, pollDatasets } from '../read';
import { NoSampleError, OVERFLOW_WARNING, type TriggerEvent } from './types';

const properties: INodeProperties[] = [
	{
		displayName: 'Include Session Datasets',
		name: 'includeSessions',
		type: 'boolean',
		displayOptions: { show: { event: ['newDataset'] } },
		default: false,
		description:
			'Whether session datasets (one per annotation session, e.g. ner_news-alex) also trigger, not only datasets you create',
	},
];

export function datasetItem(dataset: DatasetInfo): IDataObject {
	return {
		id: dataset.id,
		name: dataset.name,
		created: dataset.created,
		createdAt: new Date(dataset.created * 1000).toISOString(),
		session: dataset.session,
		meta: dataset.meta as IDataObject,
	};
}

export const newDataset: TriggerEvent = {
	value: 'newDataset',
	name: 'New Dataset',
	description: 'A dataset was created in the database',
	usesDatasets: false,
	properties,

	async start(context) {
		return freshState(context.now, { datasetCursor: startCursor(await maxDatasetId(context.store)), datasetSnapshots: [] });
	},

	async poll(context, state) {
		const includeSessions = context.param('includeSessions', false);
		const polled = await pollDatasets(context.store, state, {
			startedAt: context.now,
			accept: (dataset) => includeSessions || !dataset.session,
			maxEmit: context.maxItems,
			limits: context.limits,
		});
		return { items: polled.emit.map(datasetItem), state: polled.state, warnings: polled.overflow ? [OVERFLOW_WARNING] : [] };
	},

	async sample(context) {
		const includeSessions = context.param('includeSessions', false);
		const datasets = await context.store.listDatasets({ includeSessions });
		const latest = datasets.reduce<DatasetInfo | null>((best, dataset) => (best && best.id > dataset.id ? best : dataset), null);
		if (!latest) {
			throw new NoSampleError('The database has no datasets yet', 'Create one (e.g. prodigy dataset my_set), then fetch again.');
		}
		return [datasetItem(latest)];
	},
};
