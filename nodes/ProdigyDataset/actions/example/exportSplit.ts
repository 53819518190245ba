import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ProdigyInputError } from '../../../../lib/errors';
import { sideFileName, sideFiles } from '../../../../lib/exportFiles';
import type { ExampleRecord, ProdigyStore } from '../../../../lib/store/types';
import { emptyTrainingSummary, storedLines, trainingLines, type TextcatShape, type TrainingFormat } from '../../../../lib/training';
import { CHUNK_BYTES, mimeType, TRAINING_FORMATS, type ExportFormat, type ExportPlan, type ExportProgress } from './exportPlan';

export interface SplitRequest {
	dataset: string;
	format: ExportFormat;
	/** The file name as set (or defaulted); with a dev share `.train` / `.dev` go before `.jsonl`. */
	fileName: string;
	binaryPropertyName: string;
	devShare: number;
	plan: ExportPlan;
	progress: ExportProgress;
	itemIndex: number;
}

/** Counts and link range of the answers read, and the plan's check of each (export as of a version). */
async function* observed(records: AsyncIterable<ExampleRecord>, progress: ExportProgress, onRecord?: (record: ExampleRecord) => void) {
	for await (const record of records) {
		onRecord?.(record);
		progress.count++;
		progress.minLinkId = Math.min(progress.minLinkId ?? record.linkId, record.linkId);
		progress.maxLinkId = Math.max(progress.maxLinkId ?? record.linkId, record.linkId);
		yield record;
	}
}

/**
 * An export in a training format, or split into train and dev: one pass over the answers (ordered by input hash
 * when merging) feeds one or two files, and the item reports counts per side and label, and the conflicts.
 */
export async function exportSplit(this: IExecuteFunctions, store: ProdigyStore, request: SplitRequest): Promise<INodeExecutionData> {
	const { dataset, format, fileName, binaryPropertyName, devShare, plan, progress, itemIndex: i } = request;
	const training = TRAINING_FORMATS.includes(format);
	const split = devShare > 0;
	const devBinaryPropertyName = split ? (this.getNodeParameter('devBinaryPropertyName', i, 'dev') as string).trim() || 'dev' : '';
	if (split && devBinaryPropertyName === binaryPropertyName) {
		throw new ProdigyInputError(`The train and dev files cannot both go to the binary field "${binaryPropertyName}"`, {
			hint: 'Choose another name in "Put Dev File in Field".',
		});
	}
	const merge = training && (this.getNodeParameter('mergePerInput', i, true) as boolean);
	// Merging needs all answers to one input together: read ordered by input hash instead of link id. Only the
	// training formats read the tasks; a stored-format split writes the stored bytes.
	const query = { ...plan.query, parseTasks: training };
	const records = observed(merge ? store.getExamplesByInput(dataset, query) : store.getExamples(dataset, query), progress, plan.onRecord);
	const summary = emptyTrainingSummary();
	const lines = training
		? trainingLines(
				records,
				{ format: format as TrainingFormat, merge, devShare, textcatShape: this.getNodeParameter('textcatShape', i, 'label') as TextcatShape },
				summary,
			)
		: storedLines(records, devShare, summary);
	const files = sideFiles(lines, split, CHUNK_BYTES);
	const names = split ? { train: sideFileName(fileName, 'train'), dev: sideFileName(fileName, 'dev') } : { train: fileName, dev: '' };
	const stored = [
		this.helpers.prepareBinaryData(files.train, names.train, mimeType(format)),
		...(files.dev ? [this.helpers.prepareBinaryData(files.dev, names.dev, mimeType(format))] : []),
	].map((binary) =>
		binary.catch((error: unknown) => {
			// Storing one file failed: stop the producer (and so the read) instead of leaving it waiting.
			files.train.destroy(error as Error);
			files.dev?.destroy(error as Error);
			throw error;
		}),
	);
	// The producer's error first: it says which example was wrong; the streams only echo it.
	const [produced, ...binaries] = await Promise.allSettled([files.done, ...stored]);
	if (produced.status === 'rejected') throw produced.reason;
	for (const binary of binaries) if (binary.status === 'rejected') throw binary.reason;
	const [trainBinary, devBinary] = binaries.map((binary) => (binary as PromiseFulfilledResult<IBinaryData>).value);
	const extra = plan.finish ? await plan.finish() : {};

	const side = (which: 'train' | 'dev') => ({ fileName: names[which], ...summary[which], byteSize: files.bytes[which] });
	const json: IDataObject = {
		dataset,
		format,
		fileName: names.train,
		count: summary.train.examples + summary.dev.examples,
		byteSize: files.bytes.train + files.bytes.dev,
		answers: progress.count,
		minLinkId: progress.minLinkId,
		maxLinkId: progress.maxLinkId,
		devShare,
		train: side('train'),
		...(split ? { dev: side('dev') } : {}),
	};
	if (training) {
		Object.assign(json, {
			merged: merge,
			withoutAcceptedAnswer: summary.withoutAcceptedAnswer,
			withoutLine: summary.withoutLine,
			whitespaceTokenized: summary.whitespaceTokenized,
			conflictCount: summary.conflictCount,
			conflicts: summary.conflicts as unknown as IDataObject[],
		});
		if (summary.conflictCount > summary.conflicts.length) json.conflictsListed = summary.conflicts.length;
		if (summary.whitespaceTokenized > 0) {
			json.notice = `${summary.whitespaceTokenized} example(s) had no "tokens": their text was split on whitespace`;
		}
	}
	return {
		json: { ...json, ...extra },
		binary: { [binaryPropertyName]: trainBinary, ...(devBinary ? { [devBinaryPropertyName]: devBinary } : {}) },
	};
}
