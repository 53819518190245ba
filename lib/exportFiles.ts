// The one writer of Example → Export: the pieces a format produces (lib/exportFormats.ts) into one file, or two
// (train and dev), as streams of chunks. Plain Node streams: the n8n node hands each one to n8n's binary storage.
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';

/** Bytes gathered before a chunk goes to its stream: big enough to keep the stream cheap, small next to memory. */
export const CHUNK_BYTES = 256 * 1024;

/** One file of an export, as the caller's storage reads it. */
export type FileStream = Readable;

/** Text appended to the train or the dev file: a line with its newline, or (JSON array) a bracket or separator. */
export interface FilePiece {
	dev: boolean;
	line: string;
}

/** `ner_news.tokens.jsonl` → `ner_news.tokens.train.jsonl` / `.dev.jsonl`. */
export function sideFileName(fileName: string, side: 'train' | 'dev'): string {
	return fileName.endsWith('.jsonl') ? `${fileName.slice(0, -'.jsonl'.length)}.${side}.jsonl` : `${fileName}.${side}`;
}

export interface SideFiles {
	train: FileStream;
	dev?: FileStream;
	/** Settles when every piece was handed to the streams; rejects with the producer's error. */
	done: Promise<void>;
	/** Bytes written to each file so far (all of them once `done` settled). */
	bytes: { train: number; dev: number };
}

function closedEarly(stream: PassThrough): Error {
	return stream.errored ?? new Error('The export file was closed before it was complete');
}

/** One file's stream, and a promise that rejects once it closes. */
function fileStream(): { stream: PassThrough; closed: Promise<never> } {
	const stream = new PassThrough();
	// A failure reaches the caller through `done` and the stream's reader through its own listener; a stream whose
	// reader already gave up (its storage failed) must not turn the same error into an uncaught exception.
	stream.on('error', () => undefined);
	// A destroyed stream never drains: a writer waiting for 'drain' races this instead of waiting forever. It also
	// rejects when the file closes after its last write, when nobody waits any more.
	const closed = new Promise<never>((_resolve, reject) => stream.once('close', () => reject(closedEarly(stream))));
	closed.catch(() => undefined);
	return { stream, closed };
}

/**
 * Pieces to one file (`split` false: every piece goes to train) or two, in one pass: each side gathers its pieces
 * into chunks of about `chunkBytes` and waits while its reader is behind, so memory holds a chunk per side, never a
 * file. A failure on either end stops both: the producer's error destroys the streams, and a destroyed stream
 * stops the producer (and so the read behind it).
 */
export function sideFiles(pieces: AsyncIterable<FilePiece>, split: boolean, chunkBytes = CHUNK_BYTES): SideFiles {
	const files = { train: fileStream(), dev: split ? fileStream() : undefined };
	const bytes = { train: 0, dev: 0 };
	const pending: Record<'train' | 'dev', string[]> = { train: [], dev: [] };
	const pendingLength = { train: 0, dev: 0 };
	const flush = async (side: 'train' | 'dev') => {
		const file = files[side];
		if (!file || pending[side].length === 0) return;
		// A reader that failed between two writes destroyed its stream: stop here.
		if (file.stream.destroyed) throw closedEarly(file.stream);
		const chunk = Buffer.from(pending[side].join(''), 'utf8');
		pending[side] = [];
		pendingLength[side] = 0;
		bytes[side] += chunk.length;
		if (!file.stream.write(chunk)) await Promise.race([once(file.stream, 'drain'), file.closed]);
	};
	const done = (async () => {
		try {
			for await (const { dev, line } of pieces) {
				const side = dev && split ? 'dev' : 'train';
				pending[side].push(line);
				// UTF-16 length, not bytes: cheaper, and a chunk's exact size does not matter.
				pendingLength[side] += line.length;
				if (pendingLength[side] >= chunkBytes) await flush(side);
			}
			await flush('train');
			await flush('dev');
			files.train.stream.end();
			files.dev?.stream.end();
		} catch (error) {
			files.train.stream.destroy(error as Error);
			files.dev?.stream.destroy(error as Error);
			throw error;
		}
	})();
	return { train: files.train.stream, dev: files.dev?.stream, done, bytes };
}
