import type { CredentialSource } from "$lib/bindings/CredentialSource";

export const credentialSourceLabel: Record<CredentialSource, string> = {
  keychain: "Keychain",
  profile: "Profile",
  environment: "Environment",
  default_chain: "Default chain",
};

/** The regions where Amazon SES v2 is offered, for the region field's suggestions. */
export const sesRegions = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "sa-east-1",
  "il-central-1",
  "me-south-1",
  "af-south-1",
] as const;
