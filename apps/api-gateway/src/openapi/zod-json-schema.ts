import { z, ZodFirstPartyTypeKind, ZodTypeAny } from 'zod';

// zod (v3) → JSON Schema as OpenAPI 3.0 reads it (`nullable`, no `const`), for the subset of
// zod the contracts and the gateway's own schemas use. One source of truth (ARCHITECTURE.md
// "validation"): the schemas that validate a request also describe it in /api/docs-json.
// Anything outside the subset throws, so a new construct cannot silently become `{}`.

export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  enum?: (string | number | boolean | null)[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  nullable?: boolean;
  default?: unknown;
  description?: string;
}

export class UnsupportedZodSchemaError extends Error {
  constructor(kind: string, path: string) {
    super(`zod → JSON Schema: ${kind} is not supported (at ${path || '(root)'})`);
    this.name = 'UnsupportedZodSchemaError';
  }
}

/** Whether a property may be left out of an object (optional, or filled in by a default). */
export function isOptional(schema: ZodTypeAny): boolean {
  return schema.isOptional() || schema._def.typeName === ZodFirstPartyTypeKind.ZodDefault;
}

export function zodToJsonSchema(schema: ZodTypeAny, path = ''): JsonSchema {
  const out = convert(schema, path);
  if (schema.description && !out.description) out.description = schema.description;
  return out;
}

function convert(schema: ZodTypeAny, path: string): JsonSchema {
  const def = schema._def;
  switch (def.typeName as ZodFirstPartyTypeKind) {
    case ZodFirstPartyTypeKind.ZodString:
      return stringSchema(schema as z.ZodString);
    case ZodFirstPartyTypeKind.ZodNumber:
      return numberSchema(schema as z.ZodNumber);
    case ZodFirstPartyTypeKind.ZodBoolean:
      return { type: 'boolean' };
    case ZodFirstPartyTypeKind.ZodEnum:
      return { type: 'string', enum: [...(schema as z.ZodEnum<[string, ...string[]]>).options] };
    case ZodFirstPartyTypeKind.ZodLiteral: {
      const v = (schema as z.ZodLiteral<unknown>).value;
      if (typeof v === 'string') return { type: 'string', enum: [v] };
      if (typeof v === 'number') return { type: Number.isInteger(v) ? 'integer' : 'number', enum: [v] };
      if (typeof v === 'boolean') return { type: 'boolean', enum: [v] };
      throw new UnsupportedZodSchemaError(`literal ${String(v)}`, path);
    }
    case ZodFirstPartyTypeKind.ZodObject:
      return objectSchema(schema as z.AnyZodObject, path);
    case ZodFirstPartyTypeKind.ZodArray: {
      const a = schema as z.ZodArray<ZodTypeAny>;
      const s: JsonSchema = { type: 'array', items: zodToJsonSchema(a.element, `${path}[]`) };
      if (a._def.minLength) s.minItems = a._def.minLength.value;
      if (a._def.maxLength) s.maxItems = a._def.maxLength.value;
      if (a._def.exactLength) s.minItems = s.maxItems = a._def.exactLength.value;
      return s;
    }
    case ZodFirstPartyTypeKind.ZodRecord:
      return { type: 'object', additionalProperties: zodToJsonSchema((schema as z.ZodRecord).valueSchema, `${path}{}`) };
    case ZodFirstPartyTypeKind.ZodUnion:
    case ZodFirstPartyTypeKind.ZodDiscriminatedUnion: {
      const options = [...(def.options as Iterable<ZodTypeAny>)];
      return { oneOf: options.map((o, i) => zodToJsonSchema(o, `${path}|${i}`)) };
    }
    case ZodFirstPartyTypeKind.ZodOptional:
      return zodToJsonSchema((schema as z.ZodOptional<ZodTypeAny>).unwrap(), path);
    case ZodFirstPartyTypeKind.ZodNullable: {
      const inner = zodToJsonSchema((schema as z.ZodNullable<ZodTypeAny>).unwrap(), path);
      return inner.enum ? { ...inner, nullable: true, enum: [...inner.enum, null] } : { ...inner, nullable: true };
    }
    case ZodFirstPartyTypeKind.ZodDefault: {
      const d = schema as z.ZodDefault<ZodTypeAny>;
      return { ...zodToJsonSchema(d.removeDefault(), path), default: d._def.defaultValue() };
    }
    case ZodFirstPartyTypeKind.ZodEffects:
      // refine / superRefine / transform / preprocess: the document describes the input's shape.
      return zodToJsonSchema((schema as z.ZodEffects<ZodTypeAny>).innerType(), path);
    case ZodFirstPartyTypeKind.ZodUnknown:
    case ZodFirstPartyTypeKind.ZodAny:
      return {};
    default:
      throw new UnsupportedZodSchemaError(String(def.typeName), path);
  }
}

function stringSchema(s: z.ZodString): JsonSchema {
  const out: JsonSchema = { type: 'string' };
  for (const c of s._def.checks) {
    switch (c.kind) {
      case 'min':
        out.minLength = c.value;
        break;
      case 'max':
        out.maxLength = c.value;
        break;
      case 'length':
        out.minLength = out.maxLength = c.value;
        break;
      case 'regex':
        out.pattern = c.regex.source;
        break;
      case 'datetime':
        out.format = 'date-time';
        break;
      case 'email':
        out.format = 'email';
        break;
      case 'url':
        out.format = 'uri';
        break;
      case 'uuid':
        out.format = 'uuid';
        break;
      default:
        // trim, toLowerCase, …: no JSON Schema counterpart, nothing to say.
        break;
    }
  }
  return out;
}

function numberSchema(n: z.ZodNumber): JsonSchema {
  const out: JsonSchema = { type: 'number' };
  for (const c of n._def.checks) {
    if (c.kind === 'int') out.type = 'integer';
    if (c.kind === 'min') {
      out.minimum = c.value;
      if (!c.inclusive) out.exclusiveMinimum = true;
    }
    if (c.kind === 'max') {
      out.maximum = c.value;
      if (!c.inclusive) out.exclusiveMaximum = true;
    }
  }
  return out;
}

function objectSchema(o: z.AnyZodObject, path: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, value] of Object.entries(o.shape as Record<string, ZodTypeAny>)) {
    properties[key] = zodToJsonSchema(value, path ? `${path}.${key}` : key);
    if (!isOptional(value)) required.push(key);
  }
  const out: JsonSchema = { type: 'object', properties };
  if (required.length > 0) out.required = required;
  const unknownKeys = o._def.unknownKeys as 'strict' | 'strip' | 'passthrough';
  const catchall = o._def.catchall as ZodTypeAny;
  if (catchall._def.typeName !== ZodFirstPartyTypeKind.ZodNever) out.additionalProperties = zodToJsonSchema(catchall, `${path}{}`);
  else if (unknownKeys === 'strict') out.additionalProperties = false;
  return out;
}

/** The object under effects/optional wrappers (query and path parameters are one object each). */
export function objectShapeOf(schema: ZodTypeAny): Record<string, ZodTypeAny> {
  let s: ZodTypeAny = schema;
  for (;;) {
    const t = s._def.typeName as ZodFirstPartyTypeKind;
    if (t === ZodFirstPartyTypeKind.ZodObject) return (s as z.AnyZodObject).shape as Record<string, ZodTypeAny>;
    if (t === ZodFirstPartyTypeKind.ZodEffects) s = (s as z.ZodEffects<ZodTypeAny>).innerType();
    else if (t === ZodFirstPartyTypeKind.ZodOptional || t === ZodFirstPartyTypeKind.ZodDefault) s = s._def.innerType as ZodTypeAny;
    else throw new UnsupportedZodSchemaError(`parameters as ${t} (expected an object)`, '');
  }
}
