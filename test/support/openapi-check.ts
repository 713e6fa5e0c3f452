import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

type Schema = Record<string, any>;

/**
 * ajv, a JSON Schema validator of the field, over an OpenAPI 3.1 document's own schemas: whether a
 * value is valid against one of them, and why not.
 */
export function schemaChecker(document: Schema) {
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  ajv.addSchema({ ...document, $id: "openapi" });
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (schema: Schema, value: unknown): string[] => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(rebase(schema));
      compiled.set(key, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

/** The document's `#/…` references, made to point into the document registered as `openapi`. */
function rebase(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi#/'));
}
