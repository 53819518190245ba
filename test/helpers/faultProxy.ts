// A TCP proxy in front of the shared PostgreSQL / MariaDB, to cut one store's connections at a precise moment
// (after N bytes, right after COMMIT was sent, or at random) without touching the servers other tests use.
// It only ever connects to 127.0.0.1.
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/** What to do with a chunk the client sends: pass it on, or cut the connection (with or without passing it). */
export type ClientChunkAction = 'forward' | 'forwardThenCut' | 'cutBefore';

export interface ProxyConnection {
	client: Socket;
	server: Socket;
	/** Bytes the client has sent through this connection so far (before the current chunk). */
	sent: number;
}

export class FaultProxy {
	/** Decides per client chunk; the default passes everything. */
	onClientChunk: (chunk: Buffer, connection: ProxyConnection) => ClientChunkAction = () => 'forward';
	/** While true, new connections are closed at once (a server that cannot be reached). */
	refuse = false;
	readonly connections = new Set<ProxyConnection>();
	/** Connections cut by a rule or by cutAll(). */
	cuts = 0;

	private constructor(
		private readonly server: Server,
		readonly port: number,
	) {}

	static async start(targetPort: number): Promise<FaultProxy> {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const proxy = new FaultProxy(server, (server.address() as AddressInfo).port);
		server.on('connection', (client) => proxy.accept(client, targetPort));
		return proxy;
	}

	/** Cuts one connection: the client sees its socket close; the server gets what was already sent, then EOF. */
	cut(connection: ProxyConnection): void {
		if (!this.connections.delete(connection)) return;
		this.cuts++;
		connection.client.destroy();
		connection.server.end();
	}

	cutAll(): void {
		for (const connection of [...this.connections]) this.cut(connection);
	}

	/** Rule: cut the next connection whose chunk matches, after passing that chunk on or before. */
	cutWhen(matches: (chunk: Buffer) => boolean, when: 'after' | 'before', times = 1): void {
		let left = times;
		this.onClientChunk = (chunk) => {
			if (left > 0 && matches(chunk)) {
				left--;
				return when === 'after' ? 'forwardThenCut' : 'cutBefore';
			}
			return 'forward';
		};
	}

	/** Rule: cut the connection that sends COMMIT (a PostgreSQL simple query or a MySQL COM_QUERY). */
	cutOnCommit(when: 'after' | 'before', times = 1): void {
		this.cutWhen((chunk) => /COMMIT\0?$/.test(chunk.toString('latin1')), when, times);
	}

	/** Rule: cut the connection that sends a statement containing `text`. */
	cutOnStatement(text: string, when: 'after' | 'before', times = 1): void {
		this.cutWhen((chunk) => chunk.includes(text), when, times);
	}

	/** Passes everything again. */
	heal(): void {
		this.onClientChunk = () => 'forward';
		this.refuse = false;
	}

	async close(): Promise<void> {
		this.cutAll();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private accept(client: Socket, targetPort: number): void {
		if (this.refuse) {
			client.destroy();
			return;
		}
		const server = new Socket();
		const connection: ProxyConnection = { client, server, sent: 0 };
		this.connections.add(connection);
		const drop = () => {
			this.connections.delete(connection);
			client.destroy();
			server.destroy();
		};
		client.on('error', drop);
		server.on('error', drop);
		client.on('close', () => {
			if (this.connections.has(connection)) server.end();
			this.connections.delete(connection);
		});
		server.on('close', drop);
		server.connect(targetPort, '127.0.0.1');
		server.on('data', (chunk: Buffer) => {
			if (this.connections.has(connection)) client.write(chunk);
		});
		client.on('data', (chunk: Buffer) => {
			if (!this.connections.has(connection)) return;
			const action = this.onClientChunk(chunk, connection);
			connection.sent += chunk.length;
			if (action === 'cutBefore') return this.cut(connection);
			server.write(chunk);
			if (action === 'forwardThenCut') this.cut(connection);
		});
	}
}
