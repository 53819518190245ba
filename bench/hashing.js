'use strict';
// 4. Hashing throughput: setHashes over N tasks (Prodigy's exact _input_hash / _task_hash: canonical JSON of the
//    hashed keys with sorted keys, then MurmurHash3) against JSON.stringify of the same tasks, the cheapest
//    full pass over a task JavaScript offers. Goal: a small constant factor of JSON.stringify.
const { formatCount, formatRatio, formatSeconds, makeTasks, now, ratio, seconds, setting, size } = require('./common');

/**
 * @param {import('./common').Lib} lib
 * @param {import('../lib/store/index').Task[]} tasks
 */
function timeHashing(lib, tasks) {
	const started = now();
	let check = 0;
	for (const task of tasks) check ^= Number(lib.setHashes(task)._task_hash);
	return { elapsed: seconds(started), check };
}

/** @param {import('../lib/store/index').Task[]} tasks */
function timeStringify(tasks) {
	const started = now();
	let check = 0;
	for (const task of tasks) check += JSON.stringify(task).length;
	return { elapsed: seconds(started), check };
}

/** @type {import('./common').Benchmark['run']} */
async function run({ lib }) {
	const n = size('BENCH_HASH_N', 100_000);
	const rounds = setting('BENCH_HASH_ROUNDS', 3);
	const tasks = makeTasks(n);
	// Warm both paths so the JIT has compiled them before either is timed.
	timeHashing(lib, tasks.slice(0, 2000));
	timeStringify(tasks.slice(0, 2000));
	const hashTimes = [];
	const jsonTimes = [];
	for (let round = 0; round < rounds; round++) {
		hashTimes.push(timeHashing(lib, tasks).elapsed);
		jsonTimes.push(timeStringify(tasks).elapsed);
	}
	const a = Math.min(...hashTimes);
	const b = Math.min(...jsonTimes);
	const value = ratio(a, b);
	return [
		{
			name: 'hashing',
			ratio: value,
			baseline: 'JSON.stringify of the same tasks',
			n,
			seconds: a,
			baselineSeconds: b,
			tasksPerSecond: Math.round(n / a),
			line:
				`hashing: setHashes ${formatCount(n)} tasks ${formatRatio(value)} JSON.stringify (${formatSeconds(a)} vs ${formatSeconds(b)}, ` +
				`best of ${rounds}; ${Math.round(n / a)} tasks/s)`,
		},
	];
}

module.exports = { name: 'hashing', run };
