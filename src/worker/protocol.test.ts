import { describe, expect, test } from 'vitest';
import {
  dispatch,
  parseRequest,
  WorkerClient,
  WorkerRequestError,
  type FromWorker,
  type Handlers,
  type MessagePortLike,
} from './protocol.ts';

/** Connects a WorkerClient to handlers through structured-clone copies, like a real Worker would. */
function connect(handlers: Handlers) {
  const toClient: ((ev: { data: unknown }) => void)[] = [];
  const sent: unknown[] = [];
  const port: MessagePortLike = {
    postMessage(message) {
      sent.push(message);
      const copy = structuredClone(message);
      void dispatch(handlers, copy, (reply: FromWorker) => {
        const replyCopy = structuredClone(reply);
        queueMicrotask(() => toClient.forEach((l) => l({ data: replyCopy })));
      });
    },
    addEventListener(_type, listener) {
      toClient.push(listener);
    },
  };
  return {
    client: new WorkerClient(port),
    sent,
    emit: (data: unknown) => toClient.forEach((l) => l({ data })),
  };
}

const handlers = {
  init: ({ backend }) => ({
    backend: backend === 'auto' ? 'webgpu' : backend,
    requested: backend,
    adapter: null,
    fallbackReasons: [],
    probe: null,
  }),
  smokeStep: async ({ size }) => {
    if (size <= 0) throw new WorkerRequestError('size must be positive', 'bad-request');
    return { backend: 'cpu', loss: 1.5, tensorsBefore: 3, tensorsAfter: 3, millis: 1 };
  },
  ping: () => ({ backend: null, numTensors: 0 }),
} as Partial<Handlers> as Handlers;

describe('worker protocol', () => {
  test('a typed call round-trips through dispatch with its result', async () => {
    const { client, sent } = connect(handlers);
    const info = await client.call('init', { backend: 'webgl' });
    expect(info.backend).toBe('webgl');
    expect(sent[0]).toEqual({ kind: 'request', id: 1, method: 'init', args: { backend: 'webgl' } });
  });

  test('concurrent calls are matched to their own responses by id', async () => {
    const { client } = connect(handlers);
    const [a, b] = await Promise.all([
      client.call('init', { backend: 'cpu' }),
      client.call('smokeStep', { size: 4, batch: 1, seed: 1 }),
    ]);
    expect(a.backend).toBe('cpu');
    expect(b.loss).toBe(1.5);
  });

  test('handler errors arrive as rejected promises carrying the error code', async () => {
    const { client } = connect(handlers);
    const err = await client.call('smokeStep', { size: 0, batch: 1, seed: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkerRequestError);
    expect(err.code).toBe('bad-request');
    expect(err.message).toBe('size must be positive');
  });

  test('malformed requests are answered with bad-request instead of throwing in the worker', async () => {
    const replies: FromWorker[] = [];
    await dispatch(handlers, { kind: 'request', id: 7, method: 'rm -rf', args: {} }, (m) => replies.push(m));
    await dispatch(handlers, 'garbage', (m) => replies.push(m));
    expect(replies).toEqual([
      { kind: 'response', id: 7, ok: false, error: { message: 'Malformed request', code: 'bad-request' } },
      { kind: 'response', id: -1, ok: false, error: { message: 'Malformed request', code: 'bad-request' } },
    ]);
    expect(parseRequest({ kind: 'request', id: 1, method: 'ping', args: {} })).not.toBeNull();
    expect(parseRequest({ kind: 'request', id: '1', method: 'ping', args: {} })).toBeNull();
  });

  test('events reach subscribers; unknown messages and a crashed worker are handled', async () => {
    const { client, emit } = connect(handlers);
    const events: unknown[] = [];
    client.onEvent((e) => events.push(e));
    emit({ kind: 'event', event: { type: 'log', level: 'info', message: 'hi' } });
    emit({ nonsense: true });
    expect(events).toEqual([{ type: 'log', level: 'info', message: 'hi' }]);
    const pending = client.call('ping', {});
    client.failAll('worker died');
    await expect(pending).rejects.toMatchObject({ code: 'worker-crashed' });
  });
});
