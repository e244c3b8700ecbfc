/**
 * The prefix of a construct's stack output keys: the given one, else the construct id without its non-alphanumeric
 * characters. Either must be 1 to 200 letters and digits starting with a letter (an output key is at most 255).
 */
export function outputPrefixOf(id: string, given: string | undefined): string {
  const prefix = given ?? id.replace(/[^A-Za-z0-9]/g, '');
  if (!/^[A-Za-z][A-Za-z0-9]{0,199}$/.test(prefix)) {
    throw new Error(given === undefined
      ? `outputPrefix cannot be derived from the construct id '${id}': pass an outputPrefix of letters and digits that starts with a letter`
      : `outputPrefix must be 1 to 200 letters and digits starting with a letter, but got '${given}'`);
  }
  return prefix;
}
