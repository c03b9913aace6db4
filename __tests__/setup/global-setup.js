/**
 * One temporary folder per test run, in TEST_RUN_TMPDIR: every test's working folders go
 * under it and it is removed when the run ends. Jest stops its workers without an `exit`
 * event, so folders removed per process were left behind.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
  process.env.TEST_RUN_TMPDIR = fs.mkdtempSync(path.join(os.tmpdir(), 'gitlab-oidc-test-'));
};
