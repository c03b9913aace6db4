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
 * With SCHEMA_CACHE_TYPES set (resource and data source types, comma-separated), the schema
 * answer keeps only those types: Terraform decodes the whole schema in every command (about
 * 1,500 types, 4.9 MB), and that cost it about a CPU-second per command here, for types no
 * test configuration uses. The provider, its functions and every kept type are passed as the
 * provider sent them. A configuration that uses another type fails with Terraform's
 * "does not support resource type": add the type to the list.
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

const KEPT_TYPES = process.env.SCHEMA_CACHE_TYPES ? new Set(process.env.SCHEMA_CACHE_TYPES.split(',')) : undefined;

/** The fields of GetProviderSchema.Response (tfplugin5.proto) that map type names to schemas: resource_schemas, data_source_schemas. */
const TYPE_MAPS = new Set([2, 3]);

/** A protobuf varint at `pos`: its value and the position after it. */
function varint(buf, pos) {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
  }
}

/** The protobuf field that starts at `pos`: its number, where it ends, and where a length-delimited field's bytes start. */
function field(buf, pos) {
  const [tag, next] = varint(buf, pos);
  const number = Math.floor(tag / 8);
  switch (tag % 8) {
    case 0:
      return { number, end: varint(buf, next)[1] };
    case 1:
      return { number, end: next + 8 };
    case 2: {
      const [length, start] = varint(buf, next);
      return { number, start, end: start + length };
    }
    case 5:
      return { number, end: next + 4 };
    default:
      throw new Error(`protobuf wire type ${tag % 8} at ${pos}`);
  }
}

/**
 * A GetSchema answer (one gRPC message: a flag byte, a 4-byte length, the protobuf) with only
 * the `kept` resource and data source types. Each map entry is copied byte for byte or left out.
 */
function keepTypes(body, kept) {
  if (body.length < 5 || body[0] !== 0 || body.readUInt32BE(1) !== body.length - 5) throw new Error('a GetSchema answer that is not one uncompressed message');
  const message = body.subarray(5);
  const parts = [];
  for (let pos = 0; pos < message.length;) {
    const f = field(message, pos);
    // A map entry is a message whose field 1 is the key.
    const key = TYPE_MAPS.has(f.number) && f.start !== undefined ? field(message, f.start) : undefined;
    if (!key || (key.number === 1 && kept.has(message.toString('utf8', key.start, key.end)))) parts.push(message.subarray(pos, f.end));
    pos = f.end;
  }
  const trimmed = Buffer.concat(parts);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(trimmed.length, 1);
  return Buffer.concat([prefix, trimmed]);
}

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
      const transform = KEPT_TYPES && ((body) => keepTypes(body, KEPT_TYPES));
      pipe(stream, headers, upstream, { body: Buffer.concat(request), keep: (a) => answers.set(key, a), transform });
    });
  }

  /**
   * Forwards one stream; with `unary`, sends its already read body and keeps a status-0 answer,
   * which `unary.transform`, when given, rewrites: the answer is then held until it is whole.
   */
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
      if (unary?.transform) delete responseHeaders['content-length'];
      // A trailers-only answer (an error with no message) ends the stream in its headers.
      if (h['grpc-status'] !== undefined) stream.respond(responseHeaders, { endStream: true });
      else stream.respond(responseHeaders, { waitForTrailers: true });
    });
    call.on('data', (d) => {
      if (unary) body.push(d);
      if (!stream.destroyed && !unary?.transform) stream.write(d);
    });
    call.on('trailers', (t) => (trailers = perStream(t)));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    call.on('end', () => {
      let answer = unary && Buffer.concat(body);
      if (unary?.transform && trailers['grpc-status'] === '0') {
        try {
          answer = unary.transform(answer);
        } catch (error) {
          // Not a shape this reads: pass the provider's answer whole, and say so.
          console.error(`schema-cache-proxy: answer left whole: ${error.message}`);
        }
      }
      if (unary && trailers['grpc-status'] === '0') unary.keep({ headers: responseHeaders, body: answer, trailers });
      if (stream.closed) return;
      if (unary?.transform) stream.end(answer);
      else stream.end();
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
