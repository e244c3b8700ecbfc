import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * One temporary folder for the whole jest run: every temp folder that a test or aws-cdk-lib creates (an App without
 * outdir synthesizes into a fresh `cdk.out*` folder) goes under it, and jest-global-teardown.ts removes it, so a run
 * leaves nothing behind in the system's temporary folder.
 */
export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-mfa-delegation-jest-'));
  // As /tmp: every user may enter it and make folders in it (tests run the CLI as an unprivileged user).
  fs.chmodSync(dir, 0o1777);
  process.env.CDK_MFA_DELEGATION_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}
