/** The error `work` rejects with; fails the test when it does not reject. */
export async function failure<E extends Error = Error>(work: () => Promise<unknown>): Promise<E> {
	try {
		await work();
	} catch (error) {
		return error as E;
	}
	throw new Error('expected the operation to fail');
}
