/**
 * A real SMTP server of a test's own (the smtp-server package) on a free port of 127.0.0.1. It
 * keeps every mail it accepts, parsed with mailparser, and can be told to refuse (a 4xx or 5xx
 * reply to RCPT TO), to go down and come back on the same port. Servers that drop every connection
 * or never greet are plain TCP servers (`dropping`, `silent`).
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly parsed: ParsedMail;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** The reply to every RCPT TO while set, as `[code, text]`. */
  refuseWith: readonly [number, string] | null = null;
  private server: SMTPServer | null = null;
  private waiters: Array<() => void> = [];

  /** Taken by the first start (0 asks the system for a free one), kept for the restarts. */
  private port = 0;

  private constructor(private readonly secure: boolean) {}

  /** Plain SMTP (no STARTTLS offered) unless `secure`, which is TLS from the start with smtp-server's own certificate. */
  static async start(options: { secure?: boolean } = {}): Promise<TestSmtpServer> {
    const server = new TestSmtpServer(options.secure === true);
    await server.up();
    return server;
  }

  /** `smtp://127.0.0.1:<port>`, or `smtps://...` accepting the test certificate. */
  get url(): string {
    return this.secure
      ? `smtps://127.0.0.1:${this.port}?tls.rejectUnauthorized=false`
      : `smtp://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server !== null) return;
    const server = new SMTPServer({
      secure: this.secure,
      hideSTARTTLS: true,
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (this.refuseWith === null) return callback();
        const [code, text] = this.refuseWith;
        return callback(Object.assign(new Error(text), { responseCode: code }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.received.push({
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              parsed,
            });
            for (const wake of this.waiters.splice(0)) wake();
            callback();
          })
          .catch(callback);
      },
    });
    server.listen(this.port, '127.0.0.1');
    await once(server.server, 'listening');
    this.port = (server.server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening and drops every open connection. */
  async down(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    await new Promise<void>((done) => server.close(() => done()));
  }

  /** Resolves once `count` mails were received, or rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} mails, received ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return [...this.received];
  }

  close(): Promise<void> {
    return this.down();
  }
}

/** A TCP server that does something other than SMTP with every connection. */
export class BadSmtpServer {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Accepts connections and closes them at once, before any greeting. */
  static dropping(): Promise<BadSmtpServer> {
    return BadSmtpServer.listen((socket) => socket.destroy());
  }

  /** Accepts connections and never says a word. */
  static silent(): Promise<BadSmtpServer> {
    return BadSmtpServer.listen(() => undefined);
  }

  private static async listen(onConnection: (socket: Socket) => void): Promise<BadSmtpServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const bad = new BadSmtpServer(server, (server.address() as { port: number }).port);
    server.on('connection', (socket) => {
      bad.sockets.add(socket);
      socket.on('close', () => bad.sockets.delete(socket));
      socket.on('error', () => undefined);
      onConnection(socket);
    });
    return bad;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}
