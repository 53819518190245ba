import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DatasetNotFoundError, ProdigyInputError } from '../../lib/errors';
import { setPathValue } from '../../lib/paths';
import { computeVersion, recordVersion, type VersionSummary } from '../../lib/versions';
import { readDataset } from '../shared/descriptions';
import { runKit, type RunKit } from '../shared/items';
import { withNodeStore, type StoreRun } from '../shared/store';

interface VersionDetails {
	modelVersion?: string;
	source?: string;
	note?: string;
}

/** Dataset Version: one version record per input item; a dataset named by several items is hashed once. */
async function datasetVersions(ctx: IExecuteFunctions, { store, eachItem }: StoreRun): Promise<INodeExecutionData[]> {
	const computed = new Map<string, VersionSummary>();
	return await eachItem(async (itemIndex) => {
		const dataset = readDataset(ctx, itemIndex);
		if (!(await store.getDataset(dataset))) {
			throw new DatasetNotFoundError(dataset);
		}
		let summary = computed.get(dataset);
		if (!summary) {
			summary = await computeVersion(store, dataset);
			computed.set(dataset, summary);
		}
		const details = ctx.getNodeParameter('details', itemIndex, {}) as VersionDetails;
		if (!(ctx.getNodeParameter('record', itemIndex) as boolean)) {
			return { dataset, ...summary, recorded: false };
		}
		const { version, recorded } = await recordVersion(store, dataset, summary, details);
		return { dataset, ...(version as unknown as IDataObject), recorded };
	});
}

/** Stamp Items: provenance under a configurable key, the same version id and time for the whole run. */
async function stampItems(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	if (ctx.getNodeParameter('versionSource', 0) !== 'dataset') return await stamp(ctx, runKit(ctx, undefined));
	return await withNodeStore(ctx, async (run) => {
		const dataset = readDataset(ctx, 0, 'versionDataset');
		if (!(await run.store.hasSchema()) || !(await run.store.getDataset(dataset))) {
			throw new DatasetNotFoundError(dataset);
		}
		return await stamp(ctx, run, { dataset, version: await computeVersion(run.store, dataset) });
	});
}

async function stamp(
	ctx: IExecuteFunctions,
	{ eachItem }: RunKit,
	current?: { dataset: string; version: VersionSummary },
): Promise<INodeExecutionData[]> {
	const versionSource = ctx.getNodeParameter('versionSource', 0) as 'dataset' | 'value' | 'none';
	const timestamp = new Date().toISOString();
	return await eachItem(async (itemIndex, item) => {
		const provenance: IDataObject = {};
		if (current) {
			provenance.versionId = current.version.id;
			provenance.dataset = current.dataset;
		} else if (versionSource === 'value') {
			const versionId = String(ctx.getNodeParameter('versionId', itemIndex) ?? '').trim();
			if (versionId) provenance.versionId = versionId;
		}
		provenance.timestamp = timestamp;
		for (const key of ['sourceSystem', 'sourceRecordId', 'modelVersion']) {
			const value = ctx.getNodeParameter(key, itemIndex, '') as string | number;
			if (value !== '' && value !== null && value !== undefined) provenance[key] = value;
		}
		const field = (ctx.getNodeParameter('provenanceField', itemIndex) as string).trim();
		if (!field) throw new ProdigyInputError('Provenance Field is empty', { hint: 'Name the field, e.g. provenance.' });
		return { json: setPathValue({ ...item.json }, field, provenance) as IDataObject, ...(item.binary ? { binary: item.binary } : {}) };
	});
}

export async function executeVersionStamp(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const mode = this.getNodeParameter('mode', 0) as 'datasetVersion' | 'stampItems';
	if (mode === 'stampItems') return [await stampItems(this)];
	return [await withNodeStore(this, async (run) => await datasetVersions(this, run))];
}

