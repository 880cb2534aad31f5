// The deps the step functions share. The Lambda entry points (functions/commons/lambda-deps.ts)
// and the runner (src/onprem/runner/local-deps.ts) both supply them.
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Clock } from '../clock.ts';
import type { Hsm } from '../hsm/port.ts';
import type { KmsForAccount, KmsForRegion } from '../import/regional-kms.ts';
import type { StepLoggerDeps } from '../step-kernel/define-step.ts';

export interface KmsStepDeps extends StepLoggerDeps {
  kms: KMSClient;
  /** KMS clients of other Regions (a multi-Region key's replicas); without it every call goes to `kms`. */
  kmsForRegion?: KmsForRegion | undefined;
  /** KMS clients of other accounts through their spoke roles (fleet mode only). */
  kmsForAccount?: KmsForAccount | undefined;
  clock: Clock;
}

export interface HsmStepDeps extends StepLoggerDeps {
  hsm: Hsm;
}
