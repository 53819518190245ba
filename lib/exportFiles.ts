// Writing one pass of lines into two files (train and dev) as streams, for exports that split a dataset. Plain
// Node streams: the n8n node hands each stream to n8n's binary storage.
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';

/** `ner_news.tokens.jsonl` → `ner_news.tokens.train.jsonl` / `.dev.jsonl`. */
export function sideFileName(fileName: string, side: 'train' | 'dev'): string {
	return fileName.endsWith('.jsonl') ? `${fileName.slice(0, -'.jsonl'.length)}.${side}.jsonl` : `${fileName}.${side}`;
}

export interface SideFiles {
	train: Readable;
	dev?: Readable;
	/** Settles when every line was handed to the streams; rejects with the producer's error. */
	done: Promise<void>;
	bytes: { train: number; dev: number };
}

/**
 * Lines to one or two files in one pass: each side gathers its lines into chunks and waits while its reader is
 * behind, so memory holds a chunk per side, never a file. A failure on either end stops both.
 */
export function sideFiles(lines: AsyncIterable<{ dev: boolean; line: string }>, split: boolean, chunkBytes: number): SideFiles {
	const streams = { train: new PassThrough(), dev: split ? new PassThrough() : undefined };
	const bytes = { train: 0, dev: 0 };
	const pending: Record<'train' | 'dev', string[]> = { train: [], dev: [] };
	const pendingBytes = { train: 0, dev: 0 };
	const flush = async (side: 'train' | 'dev') => {
		const stream = streams[side];
		if (!stream || pending[side].length === 0) return;
		const chunk = Buffer.from(pending[side].join(''), 'utf8');
		pending[side] = [];
		pendingBytes[side] = 0;
		bytes[side] += chunk.length;
		if (!stream.write(chunk)) await once(stream, 'drain');
	};
	const done = (async () => {
		try {
			for await (const { dev, line } of lines) {
				const side = dev && split ? 'dev' : 'train';
				pending[side].push(line);
				pendingBytes[side] += line.length;
				if (pendingBytes[side] >= chunkBytes) await flush(side);
			}
			await flush('train');
			await flush('dev');
			streams.train.end();
			streams.dev?.end();
		} catch (error) {
			streams.train.destroy(error as Error);
			streams.dev?.destroy(error as Error);
			throw error;
		}
	})();
	return { train: streams.train, dev: streams.dev, done, bytes };
}

