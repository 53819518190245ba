/** `npm run bench:soak`: the soak benchmark runs the real Prodigy Trigger node through n8n-core, so it is written in
 * TypeScript and run by jest — but it is a benchmark (bounded in time, printing what it saw), not part of `npm test`. */
module.exports = {
	rootDir: '../..',
	testEnvironment: 'node',
	roots: ['<rootDir>/bench/soak'],
	testMatch: ['**/*.soak.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }] },
	testTimeout: 600000,
};
