import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * One temporary folder for the whole jest run: every temp folder that a test or aws-cdk-lib creates (an App without
 * outdir synthesizes into a fresh `cdk.out*` folder) goes under it, and jest-global-teardown.ts removes it, so a run
 * leaves nothing behind in the system's temporary folder. The test processes inherit the environment set here.
 */
export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-mfa-delegation-jest-'));
  // As /tmp: every user may enter it and make folders in it (tests run the CLI as an unprivileged user).
  fs.chmodSync(dir, 0o1777);
  process.env.CDK_MFA_DELEGATION_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  // The AWS SDK v3 warns once per process that its releases after January 2027 need Node.js 22 (aws/aws-sdk-js-v3#7983);
  // the tests run the SDK in many processes on Node.js 20, and a green run stays quiet. This is its documented switch.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
