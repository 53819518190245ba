'use strict';
// One memory measurement in a fresh process (run with --expose-gc), so that one measurement's garbage and
// high-water marks never show up in the next. Prints one JSON line on stdout.
//   node --expose-gc bench/child.js '{"mode":"export"|"version","config":{…},"dataset":"bench","expected":N}'
const { join } = require('node:path');
const { DIST, library } = require('./common');

const SAMPLE_EVERY = 256;
const CHECKPOINTS = 10;

// Twice: Buffers' backing stores (node:sqlite hands content out as Uint8Arrays) are released by the collection
// after the one that found them unreachable; one pass leaves a page or two of them counted as live.
function gc() {
	if (typeof global.gc !== 'function') throw new Error('run with --expose-gc');
	global.gc();
	global.gc();
}

/**
 * JavaScript memory: the V8 heap plus Buffers and other memory V8 objects hold outside it.
 * @param {NodeJS.MemoryUsage} usage
 */
function jsBytes(usage) {
	return usage.heapUsed + usage.external;
}

class Meter {
	/** @param {number} expected how many examples will stream past */
	constructor(expected) {
		gc();
		const usage = process.memoryUsage();
		this.baseJs = jsBytes(usage);
		this.baseRss = usage.rss;
		this.peakJs = 0;
		this.peakRss = 0;
		this.live = 0;
		this.seen = 0;
		this.checkpointEvery = Math.max(SAMPLE_EVERY, Math.ceil(expected / CHECKPOINTS));
	}

	sample() {
		const usage = process.memoryUsage();
		this.peakJs = Math.max(this.peakJs, jsBytes(usage) - this.baseJs);
		this.peakRss = Math.max(this.peakRss, usage.rss - this.baseRss);
	}

	/** What is still reachable: the memory that must stay constant for a streamed read. */
	checkpoint() {
		this.sample();
		gc();
		this.live = Math.max(this.live, jsBytes(process.memoryUsage()) - this.baseJs);
	}

	tick() {
		this.seen++;
		if (this.seen % SAMPLE_EVERY === 0) this.sample();
		if (this.seen % this.checkpointEvery === 0) this.checkpoint();
	}
}

/**
 * The store as computeVersion (or the training export) sees it, counting and sampling every example that streams past.
 * @param {import('../lib/store/index').ProdigyStore} store
 * @param {Meter} meter
 * @returns {Pick<import('../lib/store/index').ProdigyStore, 'getExamples' | 'getExamplesByInput'>}
 */
function metered(store, meter) {
	/**
	 * @template T
	 * @param {AsyncIterable<T>} source
	 * @returns {AsyncIterable<T>}
	 */
	const count = (source) =>
		(async function* () {
			for await (const example of source) {
				yield example;
				meter.tick();
			}
		})();
	return {
		getExamples: (dataset, options) => count(store.getExamples(dataset, options)),
		getExamplesByInput: (dataset, options) => count(store.getExamplesByInput(dataset, options)),
	};
}

async function main() {
	const job = JSON.parse(process.argv[2]);
	const lib = library();
	const store = lib.openStore(job.config);
	try {
		// Connect and warm the code paths before the baseline is taken, so neither counts as growth.
		for await (const example of store.getExamples(job.dataset, { limit: 10 })) void example;
		const meter = new Meter(job.expected);
		const started = process.hrtime.bigint();
		let result;
		if (job.mode === 'export') {
			let bytes = 0;
			for await (const example of store.getExamples(job.dataset)) {
				bytes += example.raw.length;
				meter.tick();
			}
			result = { bytes };
		} else if (job.mode === 'exportTraining') {
			// The merged tokens export: read ordered by input hash, merge, convert, split; the lines are dropped.
			/** @type {typeof import('../lib/training')} */
			const { emptyTrainingSummary, trainingLines } = require(join(DIST, 'training.js'));
			const summary = emptyTrainingSummary();
			/** @type {import('../lib/training').TrainingExportOptions} */
			const options = { format: 'tokens', merge: true, textcatShape: 'label', devShare: 20 };
			let bytes = 0;
			for await (const { line } of trainingLines(metered(store, meter).getExamplesByInput(job.dataset), options, summary)) bytes += line.length;
			result = { bytes, lines: summary.train.examples + summary.dev.examples, dev: summary.dev.examples };
		} else if (job.mode === 'version') {
			const version = await lib.versions.computeVersion(metered(store, meter), job.dataset);
			// Holds the digests until here; the sort's index array inside finish() is not sampled.
			result = { id: version.id, count: version.count };
		} else {
			throw new Error(`unknown mode ${job.mode}`);
		}
		const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
		meter.checkpoint();
		process.stdout.write(
			`${JSON.stringify({ ...result, count: meter.seen, seconds: elapsed, peakJs: meter.peakJs, peakRss: meter.peakRss, live: meter.live })}\n`,
		);
	} finally {
		await store.close();
	}
}

main().catch((error) => {
	process.stderr.write(`${error.stack ?? error}\n`);
	process.exit(1);
});
