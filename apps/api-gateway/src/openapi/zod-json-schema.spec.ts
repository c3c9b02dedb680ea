import { z } from 'zod';
import { callLogSearchReplySchema, createAsyncSearchRequestSchema, usageReplySchema } from '@pbx/contracts';
import { objectShapeOf, UnsupportedZodSchemaError, zodToJsonSchema } from './zod-json-schema';

describe('zod → JSON Schema (OpenAPI 3.0 dialect)', () => {
  it('maps strings with their length, pattern and formats', () => {
    expect(zodToJsonSchema(z.string().min(1).max(64).regex(/^[0-9]+$/))).toEqual({ type: 'string', minLength: 1, maxLength: 64, pattern: '^[0-9]+$' });
    expect(zodToJsonSchema(z.string().datetime())).toEqual({ type: 'string', format: 'date-time' });
    expect(zodToJsonSchema(z.string().email())).toEqual({ type: 'string', format: 'email' });
    expect(zodToJsonSchema(z.string().length(4))).toEqual({ type: 'string', minLength: 4, maxLength: 4 });
    expect(zodToJsonSchema(z.string().trim())).toEqual({ type: 'string' });
  });

  it('maps numbers: integer, inclusive and exclusive bounds', () => {
    expect(zodToJsonSchema(z.number().int().min(1).max(1000))).toEqual({ type: 'integer', minimum: 1, maximum: 1000 });
    expect(zodToJsonSchema(z.number().positive())).toEqual({ type: 'number', minimum: 0, exclusiveMinimum: true });
    expect(zodToJsonSchema(z.number().lt(5))).toEqual({ type: 'number', maximum: 5, exclusiveMaximum: true });
  });

  it('maps enums, literals, booleans, unknown', () => {
    expect(zodToJsonSchema(z.enum(['a', 'b']))).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(zodToJsonSchema(z.literal('pending'))).toEqual({ type: 'string', enum: ['pending'] });
    expect(zodToJsonSchema(z.literal(3))).toEqual({ type: 'integer', enum: [3] });
    expect(zodToJsonSchema(z.literal(true))).toEqual({ type: 'boolean', enum: [true] });
    expect(zodToJsonSchema(z.boolean())).toEqual({ type: 'boolean' });
    expect(zodToJsonSchema(z.unknown())).toEqual({});
  });

  it('maps objects: required = neither optional nor defaulted; strict → additionalProperties false', () => {
    const s = z.object({ a: z.string(), b: z.string().optional(), c: z.number().int().default(100) }).strict();
    expect(zodToJsonSchema(s)).toEqual({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'integer', default: 100 } },
      required: ['a'],
      additionalProperties: false,
    });
    expect(zodToJsonSchema(z.object({ a: z.string() }))).toEqual({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] });
    expect(zodToJsonSchema(z.object({}).catchall(z.number()))).toEqual({ type: 'object', properties: {}, additionalProperties: { type: 'number' } });
  });

  it('maps nullable (also for enums, whose list then holds null), arrays with bounds, records, unions', () => {
    expect(zodToJsonSchema(z.string().nullable())).toEqual({ type: 'string', nullable: true });
    expect(zodToJsonSchema(z.enum(['x']).nullable())).toEqual({ type: 'string', enum: ['x', null], nullable: true });
    expect(zodToJsonSchema(z.array(z.string()).min(1).max(3))).toEqual({ type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 });
    expect(zodToJsonSchema(z.record(z.unknown()))).toEqual({ type: 'object', additionalProperties: {} });
    expect(zodToJsonSchema(z.union([z.string(), z.number()]))).toEqual({ oneOf: [{ type: 'string' }, { type: 'number' }] });
    const du = z.discriminatedUnion('kind', [z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b'), n: z.number() })]);
    expect(zodToJsonSchema(du).oneOf).toHaveLength(2);
  });

  it('describes effects (refine, preprocess, transform) by their input shape, and keeps descriptions', () => {
    expect(zodToJsonSchema(z.string().refine((v) => v !== 'x'))).toEqual({ type: 'string' });
    expect(zodToJsonSchema(z.preprocess((v) => Number(v), z.number().int()))).toEqual({ type: 'integer' });
    expect(zodToJsonSchema(z.string().describe('a login'))).toEqual({ type: 'string', description: 'a login' });
  });

  it('refuses constructs outside the subset instead of documenting them as anything', () => {
    expect(() => zodToJsonSchema(z.object({ when: z.date() }))).toThrow(UnsupportedZodSchemaError);
    expect(() => zodToJsonSchema(z.object({ when: z.date() }))).toThrow(/ZodDate.*at when/);
    expect(() => zodToJsonSchema(z.bigint())).toThrow(UnsupportedZodSchemaError);
  });

  it('converts every contract schema the gateway documents', () => {
    expect(zodToJsonSchema(callLogSearchReplySchema)).toMatchObject({ type: 'object', required: ['items', 'total'] });
    expect(zodToJsonSchema(usageReplySchema).properties?.legs?.items?.properties?.farEnd?.oneOf).toHaveLength(7);
    expect(zodToJsonSchema(createAsyncSearchRequestSchema).properties?.conditions).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('finds the object under wrappers for parameter lists', () => {
    const q = z.object({ a: z.string() }).strict().refine(() => true);
    expect(Object.keys(objectShapeOf(q))).toEqual(['a']);
    expect(() => objectShapeOf(z.string())).toThrow(UnsupportedZodSchemaError);
  });
});
