// The public library entry (package.json "main"): Prodigy's rules without n8n, usable from scripts and from an
// n8n Code node (`require('n8n-nodes-prodigy')`). These names are a contract; add, never rename.
export { setHashes, computeHashes, getInputHash, getTaskHash, HASH_PRESETS, DEFAULT_INPUT_KEYS, DEFAULT_TASK_KEYS, DEFAULT_IGNORE_KEYS } from './hashing';
export type { HashOptions } from './hashing';
export { murmurhash3_32 } from './murmurhash';
export { parseJsonLossless, parseJsonLines, parseTasksFile, pythonJsonDumps, stringifyTask, toPlainJson, PyFloat } from './json';
export { prepareTask, decodeTasksFile } from './tasks';
export type { PreparedTask, PrepareOptions } from './tasks';
export { planBatches } from './batches';
export { openStore } from './store';
export type * from './store/types';
export { validateDatasetName, sessionDatasetName, timestampSessionName } from './datasets';
export * from './errors';
export { computeVersion, recordVersion, verifyVersion, listVersions, findVersion } from './versions';
export {
	evaluateRules,
	gatherDatasetFacts,
	hasApproval,
	latestApproval,
	listApprovals,
	recordDecision,
} from './approvals';
export { cohensKappa, fleissKappa, percentAgreement } from './agreement';
export {
	reliabilityCoefficients,
	krippendorffAlpha,
	gwetAC2,
	pairwiseF1,
	IaaAccumulator,
	IAA_METRICS,
	binaryAgreement,
	docAgreement,
	spanAgreement,
} from './iaa';
export type {
	Rating,
	UnitRatings,
	ReliabilityCoefficients,
	CoefficientOptions,
	PairAgreement,
	PairwiseF1Result,
	IaaMetric,
	IaaOptions,
	IaaStats,
	IaaResult,
	SpanIaaResult,
} from './iaa';
export { leastConfidence, margin, normalizedEntropy, measureConfidence, mostUncertain } from './uncertainty';
export {
	mergeAnswers,
	trainingLines,
	emptyTrainingSummary,
	offsetsToBiluoTags,
	biluoToIob,
	whitespaceTokens,
	toTokensLine,
	toTextcatLine,
	isDevInput,
	TrainingDataError,
} from './training';
export type { Answer, Conflict, TrainingExample, TrainingExportOptions, TrainingSummary, TextcatShape, TrainingFormat } from './training';
export { planExport, writeExport } from './export';
export type { ExportFile, ExportPlan, ExportReport, ExportSettings } from './export';
export { EXPORT_FORMATS } from './exportFormats';
export type { ExportFormat, ExportFormatSpec } from './exportFormats';
