/** Removes the run's temporary folder (see global-setup.js). */
const fs = require('fs');

module.exports = async () => {
  if (process.env.TEST_RUN_TMPDIR) fs.rmSync(process.env.TEST_RUN_TMPDIR, { recursive: true, force: true });
};
