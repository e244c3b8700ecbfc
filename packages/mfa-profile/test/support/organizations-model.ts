import { jsonError, jsonResult, StubRequest, StubResponse } from '../../../../test/support/aws-stub';

/** An account of the modelled organization, as Organizations describes it. */
export interface ModelAccount {
  readonly id: string;
  readonly name: string;
  /** `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE` or `CLOSED` (`State`); `Status` is derived as AWS still reports it. */
  readonly state: 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';
}

/**
 * A stateful model of AWS Organizations' `ListAccounts`, as AWS documents it: only the organization's management
 * account and the delegated administrators may call it (anyone else gets `AccessDeniedException`; an account outside
 * any organization `AWSOrganizationsNotInUseException`); results come in pages of at most `MaxResults` (1 to 20,
 * default 20) with an opaque `NextToken` that only this organization accepts (`InvalidInputException` otherwise); every
 * account is listed whatever its state, with both `State` and the older `Status`.
 *
 * The caller's account is the one its signing access key belongs to (`callerAccounts`).
 */
export class OrganizationsModel {
  public readonly listCalls: Array<{ caller: string; nextToken?: string }> = [];

  constructor(
    private readonly organizationId: string,
    private readonly managementAccount: string,
    private readonly accounts: readonly ModelAccount[],
    /** Access key id → account id. */
    private readonly callerAccounts: Readonly<Record<string, string>>,
    private readonly delegatedAdministrators: readonly string[] = [],
  ) {}

  /** Answer one request, or undefined when it is not for Organizations. */
  public answer(request: StubRequest): StubResponse | undefined {
    if (!String(request.headers['x-amz-target'] ?? '').startsWith('AWSOrganizationsV20161128.')) {
      return undefined;
    }
    if (request.action !== 'ListAccounts') {
      return jsonError('InvalidInputException', `The model does not know ${request.action}.`);
    }
    const keyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
    const caller = this.callerAccounts[keyId];
    this.listCalls.push({ caller: caller ?? keyId, nextToken: request.params.NextToken });
    if (caller === undefined || !this.accounts.some((a) => a.id === caller)) {
      return jsonError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    }
    if (caller !== this.managementAccount && !this.delegatedAdministrators.includes(caller)) {
      return jsonError('AccessDeniedException', 'You don\'t have permissions to access this resource.');
    }
    const max = request.params.MaxResults ?? 20;
    if (!Number.isInteger(max) || max < 1 || max > 20) {
      return jsonError('InvalidInputException', 'You provided a value that does not match the required pattern.');
    }
    let start = 0;
    if (request.params.NextToken !== undefined) {
      const match = new RegExp(`^${this.organizationId}:(\\d+)$`).exec(Buffer.from(String(request.params.NextToken), 'base64').toString('utf8'));
      if (!match) {
        return jsonError('InvalidInputException', 'The provided token is not valid.');
      }
      start = Number(match[1]);
    }
    const page = this.accounts.slice(start, start + max);
    const next = start + max < this.accounts.length ? Buffer.from(`${this.organizationId}:${start + max}`).toString('base64') : undefined;
    return jsonResult({
      Accounts: page.map((a) => ({
        Id: a.id,
        Arn: `arn:aws:organizations::${this.managementAccount}:account/${this.organizationId}/${a.id}`,
        Email: `${a.id}@example.com`,
        Name: a.name,
        State: a.state,
        Status: a.state === 'ACTIVE' ? 'ACTIVE' : a.state === 'SUSPENDED' ? 'SUSPENDED' : 'PENDING_CLOSURE',
        JoinedMethod: 'CREATED',
        JoinedTimestamp: 1700000000,
      })),
      ...(next === undefined ? {} : { NextToken: next }),
    });
  }
}
