export * from './mfa-required-role';
export * from './mfa-user';
export * from './virtual-mfa-device';
export * from './mfa-delegation';
export * from './mfa-guard';
export * from './mfa-team';
export * from './mfa-role-stack-set';
export * from './mfa-account-role';
