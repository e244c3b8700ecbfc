#!/usr/bin/env node
// The command mfa-profile: lib/mfa-profile.js is src/ and lib/contract.ts of the repository bundled into one file.
require('../lib/mfa-profile.js').main();
