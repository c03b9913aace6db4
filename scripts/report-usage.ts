/**
 * Preloaded with `node -r` by the benchmark: reports the process's own peak memory
 * on exit, so the figure covers everything the measured script loaded.
 */
process.on('exit', () => {
  process.stderr.write(`\nBENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
