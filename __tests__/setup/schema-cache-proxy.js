/**
 * A pass-through between terraform and the test run's aws provider processes that answers
 * the provider's schema from memory after the provider's first answer.
 *
 * Why: every terraform command asks its provider for the whole schema (GetSchema in
 * tfplugin5), and the aws provider builds it afresh each time, about 0.5 CPU-s of the
 * 0.7-0.9 a plan costs the provider here. The schema is the same for every caller: it does
 * not depend on configuration.
 *
 * How: terraform speaks gRPC to the provider's unix socket, which is HTTP/2. This listens on
 * a socket of its own per provider and forwards every HTTP/2 stream (headers, messages,
 * trailers) to the provider unchanged, on one provider connection per terraform
 * connection, as if terraform had connected itself. Only a GetSchema call with a request
 * byte for byte like one already answered with status 0 is answered from memory, with that
 * answer's headers, message and trailers.
 *
 * Usage: node schema-cache-proxy.js <watched pid> <counts file> <provider socket>=<listen socket>...
 * It prints "listening" once it serves, and exits when the watched process (jest) is gone.
 * The counts file says, per provider socket, how many calls it forwarded and how many it
 * answered from memory, as JSON rewritten after each answer from memory.
 */
const fs = require('fs');
const http2 = require('http2');
const net = require('net');

const CACHED_PATHS = new Set(['/tfplugin5.Provider/GetSchema']);

/** Node's default limit of 10 MB per HTTP/2 session is only twice one schema answer (4.9 MB): a slow reader must not end the session. */
const SESSION_MEMORY_MB = 256;

/** Headers that HTTP/2 sets per stream, and that are not copied from one stream to another. */
const perStream = (headers) => Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':')));

function serve(upstreamSocket, listenSocket, stats, counted) {
  const answers = new Map();
  const server = http2.createServer({ maxSessionMemory: SESSION_MEMORY_MB });
  server.on('session', (session) => {
    const upstream = http2.connect('http://provider', { createConnection: () => net.connect(upstreamSocket), maxSessionMemory: SESSION_MEMORY_MB });
    upstream.on('error', () => session.destroy());
    session.on('close', () => upstream.close());
    session.on('error', () => upstream.destroy());
    session.on('stream', (stream, headers) => forward(stream, headers, upstream));
  });

  function forward(stream, headers, upstream) {
    const path = headers[':path'];
    if (!CACHED_PATHS.has(path)) {
      stats.forwarded++;
      return pipe(stream, headers, upstream, undefined);
    }
    // A unary call: read the whole request, then answer from memory or forward it.
    const request = [];
    stream.on('data', (d) => request.push(d));
    stream.on('end', () => {
      const key = `${path}\0${Buffer.concat(request).toString('base64')}`;
      const answer = answers.get(key);
      if (stream.destroyed) return;
      if (answer) {
        stats.fromMemory++;
        counted();
        stream.respond(answer.headers, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers(answer.trailers));
        stream.end(answer.body);
        return;
      }
      stats.forwarded++;
      pipe(stream, headers, upstream, { body: Buffer.concat(request), keep: (a) => answers.set(key, a) });
    });
  }

  /** Forwards one stream; with `unary`, sends its already read body and keeps a status-0 answer. */
  function pipe(stream, headers, upstream, unary) {
    const call = upstream.request({ ...perStream(headers), ':method': 'POST', ':path': headers[':path'] });
    if (unary) call.end(unary.body);
    else stream.pipe(call);
    const body = [];
    let responseHeaders;
    let trailers = {};
    call.on('response', (h) => {
      if (stream.destroyed) return;
      responseHeaders = { ':status': h[':status'], ...perStream(h) };
      // A trailers-only answer (an error with no message) ends the stream in its headers.
      if (h['grpc-status'] !== undefined) stream.respond(responseHeaders, { endStream: true });
      else stream.respond(responseHeaders, { waitForTrailers: true });
    });
    call.on('data', (d) => {
      if (unary) body.push(d);
      if (!stream.destroyed) stream.write(d);
    });
    call.on('trailers', (t) => (trailers = perStream(t)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    call.on('end', () => {
      if (unary && trailers['grpc-status'] === '0') unary.keep({ headers: responseHeaders, body: Buffer.concat(body), trailers });
      if (!stream.closed) stream.end();
    });
    call.on('error', () => stream.destroy());
    stream.on('close', () => call.closed || call.close());
    stream.on('error', () => call.destroy());
  }

  fs.rmSync(listenSocket, { force: true });
  return new Promise((resolve) => server.listen(listenSocket, resolve));
}

async function main() {
  const [watched, countsFile, ...pairs] = process.argv.slice(2);
  const stats = {};
  // Written whole and renamed into place: a test reading the file while it is written must not
  // find it half-written (a CI run failed on "Unexpected end of JSON input").
  const counted = () => {
    const partial = `${countsFile}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify(stats));
    fs.renameSync(partial, countsFile);
  };
  await Promise.all(
    pairs.map((pair) => {
      const [upstream, listen] = pair.split('=');
      stats[upstream] = { forwarded: 0, fromMemory: 0 };
      return serve(upstream, listen, stats[upstream], counted);
    }),
  );
  // A call whose caller went away mid-answer must not stop the others: say what happened, go on.
  process.on('uncaughtException', (error) => console.error(`schema-cache-proxy: ${error.stack}`));
  console.log('listening');
  setInterval(() => {
    try {
      process.kill(Number(watched), 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
  // Keep running: the servers hold the event loop.
}

main();
