// `byok rotate --wait` stopped by Ctrl-C: the request it made stays open, and the request id was
// printed on stdout only once the wait ended, so a Ctrl-C lost it with the process (nothing said
// that the request exists, still waits for votes, or how to see it). It now says what it waits for
// with the request id, and on SIGINT that it stopped waiting, not the request; exit 130. A stand-in
// approvals API (a local stack's discovery path and the two calls) keeps the request PENDING.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const REQUEST_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const DEADLINE = '2026-12-10T18:00:00.000Z';
let server: Server;
let url: string;
let polls = 0;

const view = {
  requestId: REQUEST_ID,
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  requester: 'arn:aws:iam::111122223333:user/alice',
  reason: 'yearly',
  status: 'PENDING',
  approvalsRequired: 1,
  approvals: 0,
  votes: {},
  deadline: DEADLINE,
};

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      if (request.url?.startsWith('/_byok/approvals')) {
        response.end(JSON.stringify({ url, tableName: 'approvals' }));
        return;
      }
      if (request.method === 'GET') polls += 1;
      response.end(JSON.stringify({ request: view }));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
});

describe('byok rotate --wait, interrupted', () => {
  it('says what it waits for, and on Ctrl-C that the request stays open, with its id', async () => {
    // Prepare
    const child = spawn(
      process.execPath,
      [
        byok,
        'rotate',
        '--endpoint',
        url,
        '--key-id',
        view.keyId,
        '--reason',
        'yearly',
        '--wait',
        '--poll-interval',
        '50',
      ],
      {
        env: { ...process.env, BYOK_DEBUG: '', AWS_ACCESS_KEY_ID: 'alice', AWS_SECRET_ACCESS_KEY: 'x' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const waiting = new Promise<void>((seen, failed) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('waiting for its votes')) seen();
      });
      child.once('exit', () => failed(new Error(`byok rotate exited first: ${stderr}`)));
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

    // Act
    let code: number | null;
    try {
      await waiting;
      // It is polling the request when the signal comes.
      while (polls < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      child.kill('SIGINT');
      code = await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    // Assess
    expect(stderr).toContain(
      `request ${REQUEST_ID}: waiting for its votes until ${DEADLINE} (Ctrl-C stops waiting, not the request)`,
    );
    expect(stderr).toContain(
      `byok rotate: SIGINT: stopped waiting; request ${REQUEST_ID} stays PENDING until its votes or its deadline (${DEADLINE}) end it; nothing was cancelled. See it with byok approvals`,
    );
    expect(stdout).toBe('');
    expect(code).toBe(130);
  }, 20_000);
});
