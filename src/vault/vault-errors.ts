/**
 * The two ways the vault says no, kept apart because they call for different people:
 * - VaultRefusal: what the server offered does not continue the history the vault holds (an edited
 *   or rewritten entry, a gap, another hospital's server). The vault keeps what it has and stops
 *   pulling that hospital; someone must find out what happened to the server.
 * - VaultCorruption: the vault's own files are damaged (a flipped byte, a missing segment). The vault
 *   refuses to build on them and never "repairs" them; someone must restore them from a copy.
 */
export class VaultRefusal extends Error {
  constructor(
    readonly hospital: string,
    /** The sequence number of the refused entry; null when the refusal is about the server as a whole. */
    readonly seq: number | null,
    readonly reason: string,
  ) {
    super(seq === null ? `hospital ${hospital}: ${reason}` : `entry ${seq}: ${reason}`);
    this.name = 'VaultRefusal';
  }
}

export class VaultCorruption extends Error {
  constructor(
    /** The damaged file, relative to the vault directory. */
    readonly file: string,
    readonly reason: string,
    readonly seq: number | null = null,
  ) {
    super(`vault file ${file} is damaged${seq === null ? '' : ` at entry ${seq}`}: ${reason}. ` +
      'The vault does not repair its files; verify it (nirantar vault --verify) and restore the file from a copy.');
    this.name = 'VaultCorruption';
  }
}
