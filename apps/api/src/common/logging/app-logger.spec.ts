import { Writable } from 'node:stream';
import pino from 'pino';
import { AppLogger } from './app-logger';

function capture(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: new AppLogger(pino({ level }, sink)) };
}

describe('AppLogger (Nest logger calls as pino lines)', () => {
  it('a message with its context, as Nest passes it', () => {
    const { lines, logger } = capture();
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, context: 'Bootstrap', msg: 'listening' }),
    ]);
  });

  it('an object joins the line and the next argument is the message', () => {
    const { lines, logger } = capture();
    logger.warn({ requestId: 'r1', code: 'engine_busy' }, 'dependency failure', 'Errors');
    expect(lines[0]).toMatchObject({
      level: 40,
      context: 'Errors',
      requestId: 'r1',
      code: 'engine_busy',
      msg: 'dependency failure',
    });
  });

  it('an Error becomes err with its type, message and stack', () => {
    const { lines, logger } = capture();
    logger.error(new TypeError('boom'), 'Synthesis');
    expect(lines[0]).toMatchObject({
      level: 50,
      context: 'Synthesis',
      err: { type: 'TypeError', message: 'boom' },
    });
    expect((lines[0].err as { stack: string }).stack).toContain('TypeError: boom');
  });

  it("Nest's error(message, stack, context) keeps the stack under err", () => {
    const { lines, logger } = capture();
    logger.error('Unhandled', 'Error: x\n    at f (a.js:1:1)', 'ExceptionHandler');
    expect(lines[0]).toMatchObject({
      context: 'ExceptionHandler',
      err: { message: 'Unhandled', stack: 'Error: x\n    at f (a.js:1:1)' },
    });
  });

  it('writes nothing below the configured level', () => {
    const { lines, logger } = capture('warn');
    logger.log('quiet', 'X');
    logger.debug('quieter', 'X');
    logger.warn('loud', 'X');
    expect(lines.map((l) => l.msg)).toEqual(['loud']);
  });
});
