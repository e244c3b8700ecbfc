// Custom::MfaUserCleanup: on Delete, removes what stops CloudFormation from deleting an IAM user of the stack that the
// stack did not create itself: the access keys `mfa-profile` made (ListAccessKeys/DeleteAccessKey), and the user's MFA
// devices (deactivated; deleted when this stack's handler made them). Create and Update only record the user.
import {
  DeleteAccessKeyCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListMFADeviceTagsCommand,
} from '@aws-sdk/client-iam';
import { Aws } from './aws';
import { deactivateDevice, removeDevice } from './device';
import { STACK_ID_TAG } from './names';
import { CustomResourceEvent, HandlerError, hasCode, log, Outcome, step } from './protocol';

/** Create, Update or Delete a user's cleanup. Physical id: the user name. */
export async function handleUserCleanup(event: CustomResourceEvent, aws: Aws, stackId: string): Promise<Outcome> {
  if (event.RequestType !== 'Delete') {
    const userName = event.ResourceProperties.UserName;
    if (typeof userName !== 'string' || userName === '') {
      throw new HandlerError(`Resource property UserName must be a non-empty string, but got ${JSON.stringify(userName) ?? 'nothing'}.`);
    }
    return { status: 'SUCCESS', reason: `The access keys and MFA devices of user ${userName} will be removed when the user is deleted.`, physicalResourceId: userName };
  }
  const userName = event.PhysicalResourceId ?? '';
  const done: string[] = [];
  try {
    const keys: any = await aws.send(aws.iam, new ListAccessKeysCommand({ UserName: userName }));
    for (const key of keys.AccessKeyMetadata ?? []) {
      log(event, `DeleteAccessKey ${key.AccessKeyId} of ${userName}`);
      await step(`Could not delete access key ${key.AccessKeyId} of user ${userName}`, () => aws.send(aws.iam,
        new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key.AccessKeyId })).catch((err) => {
        if (!hasCode(err, 'NoSuchEntity')) {
          throw err;
        }
      }));
      done.push(`deleted access key ${key.AccessKeyId}`);
    }
    const devices: any = await aws.send(aws.iam, new ListMFADevicesCommand({ UserName: userName }));
    for (const device of devices.MFADevices ?? []) {
      const serialNumber: string = device.SerialNumber;
      const ours = serialNumber.includes(':mfa/') && await aws.send<any>(aws.iam, new ListMFADeviceTagsCommand({ SerialNumber: serialNumber }))
        .then((out) => (out.Tags ?? []).some((t: any) => t.Key === STACK_ID_TAG && t.Value === stackId), () => false);
      if (ours) {
        await removeDevice({ aws, event }, userName, serialNumber);
        done.push(`deleted MFA device ${serialNumber}`);
      } else {
        await deactivateDevice({ aws, event }, userName, serialNumber);
        done.push(`deactivated MFA device ${serialNumber}`);
      }
    }
  } catch (err) {
    if (hasCode(err, 'NoSuchEntity') && done.length === 0) {
      return { status: 'SUCCESS', reason: `User ${userName} is gone already.`, physicalResourceId: userName };
    }
    throw err instanceof HandlerError ? err : new HandlerError(`Could not clean up user ${userName}: ${(err as Error).message}`);
  }
  return {
    status: 'SUCCESS',
    reason: done.length ? `Cleaned up user ${userName}: ${done.join(', ')}.` : `User ${userName} had no access keys or MFA devices.`,
    physicalResourceId: userName,
  };
}
