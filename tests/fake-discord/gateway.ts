// The gateway half of the fake: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, RESUME
// with replay of missed dispatches, and the disruptions tests inject (drops, closes, op 7, op 9).
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { everyGuild, guildCreatePayload, readyPayload, shardForGuild, type FakeIds, type Json } from './payloads.js';

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

export interface IdentifyRecord {
  shard?: [number, number];
  intents: number;
  token: string;
  receivedAt: number;
}

interface Session {
  id: string;
  shardId: number;
  shardCount: number;
  seq: number;
  /** Every dispatch of the session, so a RESUME can replay what the client missed. */
  log: Array<{ s: number; t: string; d: unknown }>;
  socket: WebSocket | null;
}

export interface GatewayOptions {
  ids: FakeIds;
  heartbeatIntervalMs: number;
  url: string;
  /** Called after every state change a test may be waiting for. */
  onChange: () => void;
}

export class FakeGateway {
  readonly identifies: IdentifyRecord[] = [];
  resumes = 0;
  /** Sessions that have been sent READY (and GUILD_CREATE for each guild they own). */
  readyCount = 0;
  resumedCount = 0;

  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<WebSocket, { session: Session | null }>();
  private readonly sessions = new Map<string, Session>();
  /** The session that currently speaks for each shard id. */
  private readonly current = new Map<number, Session>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    server: Server,
    private readonly options: GatewayOptions,
  ) {
    this.wss = new WebSocketServer({ server });
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** Dispatches to the session of `shard`, or of the shard that owns `guildId`; returns the shard id. */
  dispatchTo(shard: number | undefined, guildId: string, t: string, d: unknown): number {
    const session = shard === undefined ? [...this.current.values()].find((s) => shardForGuild(guildId, s.shardCount) === s.shardId) : this.current.get(shard);
    if (!session) {
      const target = shard === undefined ? `guild ${guildId}` : `shard ${shard}`;
      throw new Error(`No gateway session for ${target}; await waitForReady() first`);
    }
    this.dispatch(session, t, d);
    return session.shardId;
  }

  /** Terminates every socket without a close frame, as a network failure would. */
  dropConnections(): void {
    for (const socket of this.detachAll()) socket.terminate();
  }

  closeConnections(code: number): void {
    for (const socket of this.detachAll()) socket.close(code);
  }

  sendReconnect(): void {
    for (const socket of this.sockets.keys()) send(socket, { op: Op.Reconnect, d: null });
  }

  sendInvalidSession(resumable: boolean): void {
    for (const [socket, connection] of this.sockets) {
      if (!resumable && connection.session) this.forget(connection.session);
      send(socket, { op: Op.InvalidSession, d: resumable });
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets.keys()) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(socket: WebSocket): void {
    const connection = { session: null as Session | null };
    this.sockets.set(socket, connection);
    socket.on('message', (data) => this.onMessage(socket, connection, data));
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (connection.session?.socket === socket) connection.session.socket = null;
    });
    // A reset from the client side is just another disconnect.
    socket.on('error', () => undefined);
    send(socket, { op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } });
  }

  private onMessage(socket: WebSocket, connection: { session: Session | null }, data: RawData): void {
    let payload: { op?: number; d?: Json };
    try {
      payload = JSON.parse(data.toString()) as { op?: number; d?: Json };
    } catch {
      socket.close(4002, 'Error while decoding payload.');
      return;
    }
    const d = payload.d ?? {};
    switch (payload.op) {
      case Op.Heartbeat:
        send(socket, { op: Op.HeartbeatAck });
        break;
      case Op.Identify:
        connection.session = this.identify(socket, d);
        break;
      case Op.Resume:
        connection.session = this.resume(socket, d) ?? connection.session;
        break;
      default:
        // Presence updates, member requests and voice state updates need no answer here.
        break;
    }
  }

  private identify(socket: WebSocket, d: Json): Session {
    const shard = Array.isArray(d.shard) ? (d.shard as [number, number]) : undefined;
    this.identifies.push({
      shard,
      intents: Number(d.intents),
      token: String(d.token),
      receivedAt: performance.now(),
    });
    this.options.onChange();

    const [shardId, shardCount] = shard ?? [0, 1];
    const session: Session = { id: randomBytes(16).toString('hex'), shardId, shardCount, seq: 0, log: [], socket };
    const previous = this.current.get(shardId);
    if (previous) this.forget(previous);
    this.sessions.set(session.id, session);
    this.current.set(shardId, session);

    const { ids, url } = this.options;
    const owned = everyGuild(ids).filter((guild) => shardForGuild(guild.guildId, shardCount) === shardId);
    this.dispatch(
      session,
      'READY',
      readyPayload(
        ids,
        session.id,
        url,
        shard,
        owned.map((guild) => guild.guildId),
      ),
    );
    for (const guild of owned) this.dispatch(session, 'GUILD_CREATE', guildCreatePayload(guild));
    this.readyCount++;
    this.options.onChange();
    return session;
  }

  private resume(socket: WebSocket, d: Json): Session | undefined {
    this.resumes++;
    this.options.onChange();
    const session = this.sessions.get(String(d.session_id));
    if (!session) {
      // Like Discord, answer an unknown session after a pause rather than instantly.
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send(socket, { op: Op.InvalidSession, d: false });
      }, 100);
      this.timers.add(timer);
      return undefined;
    }
    session.socket = socket;
    const from = Number(d.seq ?? 0);
    for (const entry of session.log) {
      if (entry.s > from) send(socket, { op: Op.Dispatch, ...entry });
    }
    this.dispatch(session, 'RESUMED', {});
    this.resumedCount++;
    this.options.onChange();
    return session;
  }

  /** Drops the replay logs of connected sessions (long runs would otherwise keep every dispatch). */
  forgetDelivered(): void {
    for (const session of this.sessions.values()) if (session.socket) session.log = [];
  }

  /** Sends now when the session has a socket; otherwise the log keeps it for the RESUME replay. */
  private dispatch(session: Session, t: string, d: unknown): void {
    const entry = { s: ++session.seq, t, d };
    session.log.push(entry);
    if (session.socket) send(session.socket, { op: Op.Dispatch, ...entry });
  }

  private forget(session: Session): void {
    this.sessions.delete(session.id);
    if (this.current.get(session.shardId) === session) this.current.delete(session.shardId);
  }

  /** Detaches sessions first so dispatches sent before the close completes are kept for replay. */
  private detachAll(): WebSocket[] {
    const sockets = [...this.sockets.keys()];
    for (const connection of this.sockets.values()) {
      if (connection.session) connection.session.socket = null;
    }
    return sockets;
  }
}

function send(socket: WebSocket, payload: object): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
}
