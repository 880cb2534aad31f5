// `byok key create`'s named errors: refusals made before anything is created.
import { ByokError, type ByokErrorOptions } from '../../../../core/shared/errors.ts';

export class KeyCreateError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'KeyCreateError';
  }
}

/** The alias asked for names a key already. */
export class KeyAliasExistsError extends KeyCreateError {
  constructor(alias: string, targetKeyId: string | undefined, options?: ErrorOptions) {
    super(
      `${alias} exists already${targetKeyId ? ` (it names key ${targetKeyId})` : ''}; no key was created`,
      {
        ...options,
        hint: 'choose another --alias, or leave it out',
      },
    );
    this.name = 'KeyAliasExistsError';
  }
}

/** Replica Regions that cannot be: without a multi-Region key, or the primary's own Region. */
export class InvalidReplicaRegionsError extends KeyCreateError {
  constructor(message: string, options?: ErrorOptions) {
    super(`${message}; no key was created`, options);
    this.name = 'InvalidReplicaRegionsError';
  }
}

/** A replica did not leave the Creating state in time: it exists, but was not imported into. */
export class ReplicaNotReadyError extends KeyCreateError {
  constructor(replicaArn: string, state: string, primaryArn: string, options?: ErrorOptions) {
    super(
      `replica ${replicaArn} is still ${state}; the key, its tags and binding exist, nothing was imported`,
      {
        ...options,
        hint: `import once it is ready: byok import --key-id ${primaryArn}`,
      },
    );
    this.name = 'ReplicaNotReadyError';
  }
}
