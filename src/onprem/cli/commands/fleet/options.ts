// `byok fleet`'s options as commander parses them (register.ts declares them).
import { InvalidArgumentError } from 'commander';
import type { AwsCommandOptions, OutputOptions } from '../../aws-options.ts';

export interface FleetCommonOptions extends AwsCommandOptions {
  /** The hub's fleet bucket (default: BYOK_FLEET_BUCKET, else byok-fleet-hub on the local stack). */
  bucket?: string | undefined;
}

export interface SpokeTemplateOptions {
  hubAccount?: string | undefined;
  regions?: string[] | undefined;
  roleName?: string | undefined;
}

export interface FleetStatusOptions extends FleetCommonOptions, OutputOptions {
  /** A targets document: read each pair live through its spoke role instead of the last report. */
  targets?: string | undefined;
  report?: string | undefined;
  leadWindowDays: number;
}

export interface FleetReportOptions extends FleetCommonOptions {
  format: 'html' | 'csv' | 'json';
  report?: string | undefined;
}

export interface FleetTargetsOptions extends FleetCommonOptions, OutputOptions {
  targets?: string | undefined;
}

export const DEFAULT_LOCAL_FLEET_BUCKET = 'byok-fleet-hub';

export function parseAccountId(text: string): string {
  if (!/^\d{12}$/.test(text)) throw new InvalidArgumentError('expected a 12-digit AWS account id');
  return text;
}

export function parseRegionList(text: string): string[] {
  const regions = text.split(',').map((region) => region.trim());
  if (regions.length === 0 || regions.some((region) => !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region))) {
    throw new InvalidArgumentError('expected comma-separated Region names, e.g. us-east-1,eu-west-1');
  }
  return regions;
}

export function parseReportFormat(text: string): 'html' | 'csv' | 'json' {
  if (text === 'html' || text === 'csv' || text === 'json') return text;
  throw new InvalidArgumentError('expected html, csv or json');
}

export function parseBucketName(text: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(text))
    throw new InvalidArgumentError('not an S3 bucket name');
  return text;
}
