// The file formats of Example → Export, one entry each in EXPORT_FORMATS: what the format is called, how its
// records are read, how they become the text of the train (and dev) file, and what the file is named. A new format
// is a new entry; the export pipeline (lib/export.ts) and the node's parameters follow from it. A training format of
// one line per example also has its line rule in TRAINING_LINE_FORMATS (lib/trainingFormats.ts): the types refuse
// either entry without the other.
import { isDevInput } from './devSplit';
import type { FilePiece } from './exportFiles';
import type { ExampleRecord } from './store/types';
import { trainingLines, type TrainingSummary } from './training';
import type { TextcatShape, TrainingFormat } from './trainingFormats';

/** The settings a format's writer reads. */
export interface FormatSettings {
	/** Percent of inputs on the dev side (0–50); 0 writes one file. */
	devShare: number;
	/** Training formats: the answers to one input become one example. */
	mergePerInput: boolean;
	/** Text classification: how a line states its labels. */
	textcatShape: TextcatShape;
}

export interface ExportFormatSpec {
	/** Shown to people, e.g. in the Export's Format list. */
	name: string;
	description: string;
	/** The default file name is `<dataset>.<extension>`. */
	extension: string;
	mimeType: string;
	/** Whether a dev share can split the export into a train and a dev file. */
	splits: boolean;
	/** Whether answers become training examples: the output then reports merging, skipped inputs and conflicts. */
	training: boolean;
	/** How the records are read: grouped by input (ordered by input hash, else link id), and with parsed tasks. */
	read(settings: FormatSettings): { byInput: boolean; parseTasks: boolean };
	/**
	 * The file's text piece by piece, each for the train or the dev file, counting lines per side (and, for training,
	 * what was left out) in `summary`. Reads `records` once, as they stream: never the whole dataset at a time.
	 */
	write(records: AsyncIterable<ExampleRecord>, settings: FormatSettings, summary: TrainingSummary): AsyncIterable<FilePiece>;
}

const JSONL = 'application/jsonl';

// The stored bytes are written as they are: no task is parsed unless a filter needs it.
const STORED = { byInput: false, parseTasks: false };

/** Prodigy JSONL, like "prodigy db-out": each stored example byte for byte as stored, on its input's side. */
async function* storedLines(records: AsyncIterable<ExampleRecord>, settings: FormatSettings, summary: TrainingSummary): AsyncGenerator<FilePiece> {
	for await (const record of records) {
		const dev = isDevInput(record.inputHash, settings.devShare);
		(dev ? summary.dev : summary.train).examples++;
		yield { dev, line: `${record.raw}\n` };
	}
}

/** One JSON array of the stored examples, each byte for byte as stored. */
async function* jsonArray(records: AsyncIterable<ExampleRecord>, _settings: FormatSettings, summary: TrainingSummary): AsyncGenerator<FilePiece> {
	yield { dev: false, line: '[' };
	for await (const record of records) {
		yield { dev: false, line: `${summary.train.examples === 0 ? '\n' : ',\n'}${record.raw}` };
		summary.train.examples++;
	}
	yield { dev: false, line: summary.train.examples === 0 ? ']\n' : '\n]\n' };
}

/** A training format: one JSON Lines line per example of `format` (lib/trainingFormats.ts), split by input hash. */
function trainingFormat(format: TrainingFormat, text: Pick<ExportFormatSpec, 'name' | 'description'>): ExportFormatSpec {
	return {
		...text,
		extension: `${format}.jsonl`,
		mimeType: JSONL,
		splits: true,
		training: true,
		// Merging needs all answers to one input together: read ordered by input hash instead of link id.
		read: (settings) => ({ byInput: settings.mergePerInput, parseTasks: true }),
		write: (records, settings, summary) =>
			trainingLines(records, { format, merge: settings.mergePerInput, textcatShape: settings.textcatShape, devShare: settings.devShare }, summary),
	};
}

/** Every export format by its name (the Format parameter's value). Every training line format has an entry. */
export const EXPORT_FORMATS = {
	jsonl: {
		name: 'JSON Lines (Prodigy)',
		description: 'One stored example per line, exactly like "prodigy db-out"',
		extension: 'jsonl',
		mimeType: JSONL,
		splits: true,
		training: false,
		read: () => STORED,
		write: storedLines,
	},
	json: {
		name: 'JSON Array (Prodigy)',
		description: 'One JSON array of all stored examples',
		extension: 'json',
		mimeType: 'application/json',
		splits: false,
		training: false,
		read: () => STORED,
		write: jsonArray,
	},
	tokens: trainingFormat('tokens', {
		name: 'Tokens With IOB2 Tags (NER)',
		description: 'One {"tokens", "ner_tags"} line per example, for Hugging Face token classification and most PyTorch / TensorFlow NER code',
	}),
	textcat: trainingFormat('textcat', {
		name: 'Text Classification',
		description: 'One {"text", "label"} line per example (or "labels" / spaCy\'s "cats")',
	}),
} satisfies Record<string, ExportFormatSpec> & Record<TrainingFormat, ExportFormatSpec>;

export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The names of the formats that `where` holds for, in EXPORT_FORMATS order (e.g. for a parameter's displayOptions). */
export function exportFormatsWhere(where: (format: ExportFormatSpec) => boolean): ExportFormat[] {
	return (Object.keys(EXPORT_FORMATS) as ExportFormat[]).filter((name) => where(EXPORT_FORMATS[name]));
}
