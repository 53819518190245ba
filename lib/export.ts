// Example → Export as one pipeline, for every format: planExport checks the settings and the export's guards
// (dataset, version, approval) and decides what to read; writeExport reads the records once, in the order the
// format needs, counts them once, and hands the format's bytes to the caller's storage as one or two streams
// (lib/exportFiles.ts), never holding the dataset in memory. The n8n node only reads its parameters into
// ExportSettings and gives each stream to n8n's binary storage.
import { hasApproval } from './approvals';
import { validateDevShare } from './devSplit';
import { ProdigyInputError, DatasetNotFoundError } from './errors';
import { sideFileName, sideFiles, type FileStream } from './exportFiles';
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatSpec, type FormatSettings } from './exportFormats';
import type { ExampleRecord, GetExamplesOptions, ProdigyStore } from './store/types';
import { emptyTrainingSummary, type Conflict, type SideSummary, type TrainingSummary } from './training';
import { computeVersion, VersionAccumulator, VersionMismatchError, verifyVersion } from './versions';

/** Everything one export depends on: equal settings give the same files. */
export interface ExportSettings extends FormatSettings {
	dataset: string;
	format: ExportFormat;
	/** Which stored answers are read (answer, session, flagged, after link id). */
	filters: GetExamplesOptions;
	/** The file's name; by default `<dataset>.<the format's extension>`. With a dev share `.train` / `.dev` are added. */
	fileName?: string;
	/** Export exactly this recorded version (its id, or the first 8+ characters of it). */
	version?: string;
	/** Refuse unless the exported version (`version`, or the data as it is now) was approved. */
	requireApproval?: boolean;
}

/** What the export as of a version / with an approval adds to the output. */
export interface GuardReport {
	versionId?: string;
	approved?: boolean;
}

/** One export, checked and decided: what planExport returns and writeExport carries out. */
export interface ExportPlan {
	dataset: string;
	format: ExportFormat;
	spec: ExportFormatSpec;
	/** The format's settings, the dev share 0 for a format that does not split. */
	settings: FormatSettings;
	/** Whether there is a dev file. */
	split: boolean;
	fileNames: { train: string; dev: string };
	query: GetExamplesOptions;
	/** Sees every exported record in order, e.g. to hash it. */
	onRecord?: (record: ExampleRecord) => void;
	/** Runs after the last record was written; throwing fails the export. Its fields join the report. */
	finish?: () => Promise<GuardReport>;
}

/**
 * Checks an export before anything is read: the format, the dev share, that the dataset exists (so an unknown name
 * fails with a clear message, not from inside a stream), and the guards. The seam for export guards: "export as of
 * a version" narrows the query (upToLinkId) and verifies the content hash of what was written; "require an
 * approval" refuses here.
 */
export async function planExport(store: ProdigyStore, settings: ExportSettings): Promise<ExportPlan> {
	const { dataset, format } = settings;
	if (!Object.hasOwn(EXPORT_FORMATS, format)) {
		throw new ProdigyInputError(`"${String(format)}" is not an export format`, { hint: `Choose one of ${Object.keys(EXPORT_FORMATS).join(', ')}.` });
	}
	const spec: ExportFormatSpec = EXPORT_FORMATS[format];
	const devShare = spec.splits ? validateDevShare(settings.devShare) : 0;
	if (!(await store.getDataset(dataset))) throw new DatasetNotFoundError(dataset);
	const fileName = settings.fileName || `${dataset}.${spec.extension}`;
	const split = devShare > 0;
	return {
		dataset,
		format,
		spec,
		settings: { devShare, mergePerInput: settings.mergePerInput, textcatShape: settings.textcatShape },
		split,
		fileNames: split ? { train: sideFileName(fileName, 'train'), dev: sideFileName(fileName, 'dev') } : { train: fileName, dev: '' },
		...(await guard(store, settings)),
	};
}

async function guard(store: ProdigyStore, settings: ExportSettings): Promise<Pick<ExportPlan, 'query' | 'onRecord' | 'finish'>> {
	const { dataset, filters, version: requested, requireApproval } = settings;
	if (!requested && !requireApproval) return { query: filters };

	// A version pins the link range; without one, "require an approval" pins the data as it is now.
	let versionId: string;
	let upToLinkId: number;
	if (requested) {
		const verified = await verifyVersion(store, dataset, requested);
		versionId = verified.version.id;
		upToLinkId = verified.upToLinkId;
	} else {
		const current = await computeVersion(store, dataset);
		versionId = current.id;
		upToLinkId = current.maxLinkId ?? 0;
	}
	if (requireApproval) {
		const meta = (await store.getDataset(dataset))?.meta ?? {};
		if (!hasApproval(meta, versionId)) {
			throw new ProdigyInputError(`Version ${versionId.slice(0, 12)} of dataset "${dataset}" is not approved, so it was not exported`, {
				hint: 'Approve that version with the Approval Gate first. The latest decision about a version counts: a later rejection withdraws an approval.',
			});
		}
	}
	const query: GetExamplesOptions = { ...filters, upToLinkId: Math.min(filters.upToLinkId ?? upToLinkId, upToLinkId) };
	const result: GuardReport = { versionId, ...(requireApproval ? { approved: true } : {}) };
	if (Object.keys(filters).length > 0) return { query, finish: async () => result };

	// Unfiltered, the file holds exactly the version: hashing what was written proves it, even if the dataset
	// changed between the check above and the read.
	const written = new VersionAccumulator();
	return {
		query,
		onRecord: (record) => written.add(record),
		finish: async () => {
			if (written.finish().id !== versionId) {
				throw new VersionMismatchError(`Dataset "${dataset}" changed while version ${versionId.slice(0, 12)} was being exported`, {
					hint: 'Examples of that version were removed during the export; run it again.',
				});
			}
			return result;
		},
	};
}

/** One file of the export, for the caller to store. */
export interface ExportFile {
	stream: FileStream;
	fileName: string;
	mimeType: string;
}

export interface SideReport extends SideSummary {
	fileName: string;
	byteSize: number;
}

/**
 * The output of an export. A stored format without a dev share reports the file and the link range; a training
 * format or a split one adds the answers read and each side's counts, and a training format what was merged and
 * left out.
 */
export interface ExportReport extends GuardReport {
	dataset: string;
	format: ExportFormat;
	/** The (train) file's name. */
	fileName: string;
	/** Lines written (stored formats: examples), both files together. */
	count: number;
	byteSize: number;
	/** Stored answers read. */
	answers?: number;
	minLinkId: number | null;
	maxLinkId: number | null;
	devShare?: number;
	train?: SideReport;
	dev?: SideReport;
	merged?: boolean;
	withoutAcceptedAnswer?: number;
	withoutLine?: number;
	whitespaceTokenized?: number;
	conflictCount?: number;
	conflicts?: Conflict[];
	/** How many of `conflictCount` are listed, when not all are. */
	conflictsListed?: number;
	notice?: string;
}

interface Progress {
	answers: number;
	minLinkId: number | null;
	maxLinkId: number | null;
}

/** The one count of the records read, their link range, and the plan's check of each (export as of a version). */
async function* observed(records: AsyncIterable<ExampleRecord>, progress: Progress, onRecord?: (record: ExampleRecord) => void) {
	for await (const record of records) {
		onRecord?.(record);
		progress.answers++;
		progress.minLinkId = Math.min(progress.minLinkId ?? record.linkId, record.linkId);
		progress.maxLinkId = Math.max(progress.maxLinkId ?? record.linkId, record.linkId);
		yield record;
	}
}

/**
 * Carries out a plan: one pass over the records feeds one or two files, each handed to `save` as a stream while it
 * is written (`save` resolves once it stored the whole stream, e.g. n8n's prepareBinaryData). Resolves with the
 * report and what `save` returned for each file. The first error wins: the producer's (it names the example that
 * was wrong), else a failed `save`, which also stops the read.
 */
export async function writeExport<T>(
	store: Pick<ProdigyStore, 'getExamples' | 'getExamplesByInput'>,
	plan: ExportPlan,
	save: (file: ExportFile) => Promise<T>,
): Promise<{ report: ExportReport; train: T; dev?: T }> {
	const { dataset, spec, settings, split, fileNames } = plan;
	const progress: Progress = { answers: 0, minLinkId: null, maxLinkId: null };
	const summary = emptyTrainingSummary();
	const read = spec.read(settings);
	const query = { ...plan.query, parseTasks: read.parseTasks };
	const records = observed(read.byInput ? store.getExamplesByInput(dataset, query) : store.getExamples(dataset, query), progress, plan.onRecord);
	const files = sideFiles(spec.write(records, settings, summary), split);
	const saving = [files.train, ...(files.dev ? [files.dev] : [])].map(async (stream, index) => {
		try {
			return await save({ stream, fileName: index === 0 ? fileNames.train : fileNames.dev, mimeType: spec.mimeType });
		} catch (error) {
			// Storing one file failed: stop the producer (and so the read) instead of leaving it waiting.
			files.train.destroy(error as Error);
			files.dev?.destroy(error as Error);
			throw error;
		}
	});
	const [produced, ...saved] = await Promise.allSettled([files.done, ...saving]);
	if (produced.status === 'rejected') throw produced.reason;
	for (const result of saved) if (result.status === 'rejected') throw result.reason;
	const [train, dev] = saved.map((result) => (result as PromiseFulfilledResult<T>).value);
	const guarded = plan.finish ? await plan.finish() : {};
	return { report: { ...reportOf(plan, progress, summary, files.bytes), ...guarded }, train, ...(split ? { dev } : {}) };
}

function reportOf(plan: ExportPlan, progress: Progress, summary: TrainingSummary, bytes: { train: number; dev: number }): ExportReport {
	const { dataset, format, spec, settings, split, fileNames } = plan;
	const head = { dataset, format, fileName: fileNames.train, count: summary.train.examples + summary.dev.examples, byteSize: bytes.train + bytes.dev };
	if (!spec.training && !split) return { ...head, minLinkId: progress.minLinkId, maxLinkId: progress.maxLinkId };

	const side = (which: 'train' | 'dev'): SideReport => ({ fileName: fileNames[which], ...summary[which], byteSize: bytes[which] });
	const report: ExportReport = {
		...head,
		answers: progress.answers,
		minLinkId: progress.minLinkId,
		maxLinkId: progress.maxLinkId,
		devShare: settings.devShare,
		train: side('train'),
		...(split ? { dev: side('dev') } : {}),
	};
	if (!spec.training) return report;
	return {
		...report,
		merged: settings.mergePerInput,
		withoutAcceptedAnswer: summary.withoutAcceptedAnswer,
		withoutLine: summary.withoutLine,
		whitespaceTokenized: summary.whitespaceTokenized,
		conflictCount: summary.conflictCount,
		conflicts: summary.conflicts,
		...(summary.conflictCount > summary.conflicts.length ? { conflictsListed: summary.conflicts.length } : {}),
		...(summary.whitespaceTokenized > 0 ? { notice: `${summary.whitespaceTokenized} example(s) had no "tokens": their text was split on whitespace` } : {}),
	};
}
