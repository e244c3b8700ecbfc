/**
 * An error whose message is one sentence for the user: the command prints it and exits with status 1.
 * Its message never holds a secret.
 */
export class CliError extends Error {
  public readonly name = 'CliError';
}
