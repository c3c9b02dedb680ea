import { z } from 'zod';
import { federationPrefixProblem, isExtensionNumber, isExternalNumber, MAX_PARK_SLOTS } from './number-plan';

// The provisioning file: the declarative configuration of one server (SPEC §0). The keys of
// /work/shared/provisioning.example.yaml are the contract; keys marked "added" are optional
// extensions of it. Objects are strict: an unknown key is almost always a typo
// (`mobilenumber:`) and a carrier-grade loader says so instead of ignoring it.
//
// Field schemas are exported one by one: the semantic checks (provisioning.rules.ts) reuse
// them to read what they can from a file that failed the schema, so every error is listed
// once (SPEC B-3).

/** A custom issue that names the SPEC rule it enforces. */
function ruleIssue(ctx: z.RefinementCtx, rule: string, message: string): void {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message, params: { rule } });
}

/** Number-like fields must be quoted: YAML turns `0312345678` into 312345678. */
export const text = z.string({ invalid_type_error: 'must be a quoted string' });
const nonEmpty = text.trim().min(1, 'must not be empty');
const int = (min: number, max: number) =>
  z.number({ invalid_type_error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const bool = z.boolean({ invalid_type_error: 'must be true or false' });

/** SPEC N-1. */
export const extensionNumberField = text.superRefine((v, ctx) => {
  if (!isExtensionNumber(v)) ruleIssue(ctx, 'N-1', `"${v}" is not a 4-digit extension in 1000–6999`);
});

/** SPEC N-2: national format, `0` + 9–19 digits. */
export const externalNumberField = text.superRefine((v, ctx) => {
  if (!isExternalNumber(v)) ruleIssue(ctx, 'N-2', `"${v}" is not an external number (0 followed by 9–19 digits)`);
});

/** SPEC F-2. */
export const federationPrefixField = text.superRefine((v, ctx) => {
  const problem = federationPrefixProblem(v);
  if (problem !== undefined) ruleIssue(ctx, 'F-2', `federation prefix "${v}" ${problem}`);
});

/** Digest and portal passwords: present and not trivially short. */
export const passwordField = z
  .string({ required_error: 'is required', invalid_type_error: 'must be a quoted string' })
  .min(8, 'must be at least 8 characters');

const slug = text.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and "-" (at most 63)');
const hostname = text.regex(/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, 'must be a host name or IPv4 address');
export const loginField = text.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, ".", "_" or "-" (at most 64)');

export const carrierField = z.enum(['docomo', 'au', 'softbank']);
export const extensionKindField = z.enum(['softphone', 'hardphone', 'mobile']);
export const roleField = z.enum(['system-admin', 'supervisor', 'user']); // SPEC A-1

export const serverSchema = z
  .object({
    id: slug, // unique among federated servers
    domain: hostname, // SIP domain / digest realm
    federationPrefix: federationPrefixField.optional(), // SPEC F-2; absent = not federated
    channelLimit: int(0, 100_000), // 同時通話数 — SPEC Q-1
    mobileChannelLimit: int(0, 100_000), // モバイルチャネル — SPEC Q-1
    historyRetentionDays: int(1, 3650).default(400), // SPEC K-5
    mobileShowCallerNumber: bool.default(false), // SPEC D-3 / M-4
    defaultNotificationNumber: externalNumberField, // 通知番号 — SPEC C-7
    overLimitForward: extensionNumberField.nullable().default(null), // SPEC Q-5
    parkSlots: int(0, MAX_PARK_SLOTS).default(20), // SPEC N-4: slots 701..7NN
    ringTimeoutSeconds: int(5, 600).default(30),
  })
  .strict();

export const trunkSchema = z
  .object({
    id: slug,
    host: hostname, // IP auth: requests from host:port skip digest
    port: int(1, 65535).default(5060),
    transport: z.enum(['udp', 'tcp']).default('udp'),
    dids: z.array(externalNumberField).default([]),
  })
  .strict();

const phoneExtensionSchema = z
  .object({
    number: extensionNumberField,
    kind: z.enum(['softphone', 'hardphone']),
    name: nonEmpty,
    password: passwordField, // SIP digest password (username = number)
    notificationNumber: externalNumberField.optional(), // added: caller ID on external calls (C-7)
  })
  .strict();

const mobileExtensionSchema = z
  .object({
    number: extensionNumberField, // SPEC M-12: 2000–3999, checked with the kind
    kind: z.literal('mobile'),
    name: nonEmpty,
    mobileNumber: externalNumberField,
    carrier: carrierField,
    notificationNumber: externalNumberField.optional(), // added (M-2 / C-7)
  })
  .strict();

export const extensionSchema = z.discriminatedUnion('kind', [phoneExtensionSchema, mobileExtensionSchema]);

export const groupSchema = z
  .object({
    number: extensionNumberField,
    name: nonEmpty,
    members: z.array(text).min(1, 'a group needs at least one member'),
  })
  .strict(); // 着信グループ

export const callCenterSchema = z
  .object({
    number: extensionNumberField,
    name: nonEmpty,
    timeoutSeconds: int(1, 600).default(30), // ACD タイムアウト判定 — SPEC P-9
    wrapUpSeconds: int(0, 3600).default(30), // ラップアップタイム — SPEC P-9
    agents: z.array(text).default([]),
    notificationNumber: externalNumberField.optional(), // added: the number tied to the center (D-5)
  })
  .strict(); // コールセンター

/** Added: IVR menus are extensions too (SPEC §0); their menus are configured elsewhere. */
export const ivrSchema = z.object({ number: extensionNumberField, name: nonEmpty }).strict();

export const didSchema = z.object({ number: externalNumberField, target: extensionNumberField }).strict(); // ダイヤルイン

const signInSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('extension'), number: extensionNumberField }).strict(),
  z.object({ type: z.literal('external'), number: externalNumberField }).strict(), // SPEC §6
]);

export const accountSchema = z
  .object({
    login: loginField,
    role: roleField,
    password: passwordField,
    email: text.email('must be an e-mail address').optional(),
    grants: z
      .object({ callCenters: z.array(text).default([]), numbers: z.array(text).default([]) })
      .strict()
      .optional(), // SPEC A-1: supervisors only
    agent: z.object({ enabled: bool.default(true), signIn: signInSchema.optional() }).strict().optional(),
  })
  .strict();

export const peerSchema = z.object({ serverId: slug, prefix: federationPrefixField }).strict();

export const provisioningSchema = z
  .object({
    server: serverSchema,
    trunks: z.array(trunkSchema).default([]),
    extensions: z.array(extensionSchema).default([]),
    groups: z.array(groupSchema).default([]),
    callCenters: z.array(callCenterSchema).default([]),
    ivrs: z.array(ivrSchema).default([]),
    dids: z.array(didSchema).default([]),
    accounts: z.array(accountSchema).default([]),
    federation: z.object({ peers: z.array(peerSchema).default([]) }).strict().default({ peers: [] }), // SPEC §4
  })
  .strict();

/** The validated provisioning of one server; defaults filled in. */
export type Provisioning = z.output<typeof provisioningSchema>;
export type ServerSettings = Provisioning['server'];
export type Trunk = Provisioning['trunks'][number];
export type Extension = Provisioning['extensions'][number];
export type PhoneExtension = Extract<Extension, { kind: 'softphone' | 'hardphone' }>;
export type MobileExtension = Extract<Extension, { kind: 'mobile' }>;
export type EndpointKind = Extension['kind'];
export type Carrier = z.output<typeof carrierField>;
export type Group = Provisioning['groups'][number];
export type CallCenter = Provisioning['callCenters'][number];
export type Ivr = Provisioning['ivrs'][number];
export type Did = Provisioning['dids'][number];
export type Account = Provisioning['accounts'][number];
export type Role = Account['role'];
export type AgentSignIn = NonNullable<NonNullable<Account['agent']>['signIn']>;
export type FederationPeer = Provisioning['federation']['peers'][number];
