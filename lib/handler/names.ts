// The names the handler shares with the constructs, from lib/contract.ts (defined once there).
import { HANDLER_STACK_ID_VARIABLE, HANDLER_TAGS, USER_CLEANUP_RESOURCE_TYPE as CLEANUP_TYPE, VIRTUAL_MFA_DEVICE_RESOURCE_TYPE } from '../contract';

export const DEVICE_RESOURCE_TYPE = VIRTUAL_MFA_DEVICE_RESOURCE_TYPE;
export const USER_CLEANUP_RESOURCE_TYPE = CLEANUP_TYPE;
export const STACK_ID_VARIABLE = HANDLER_STACK_ID_VARIABLE;
export const STACK_ID_TAG = HANDLER_TAGS.stackId;
export const LOGICAL_ID_TAG = HANDLER_TAGS.logicalId;
export const SEED_VERSION_TAG = HANDLER_TAGS.seedVersion;
export const IDENTITY_TAG = HANDLER_TAGS.identity;
export const REQUEST_ID_TAG = HANDLER_TAGS.requestId;
export const SERIAL_NUMBER_TAG = HANDLER_TAGS.serialNumber;
export const POLICY_HASH_TAG = HANDLER_TAGS.policyHash;
export const CREATED_AT_TAG = HANDLER_TAGS.createdAt;
